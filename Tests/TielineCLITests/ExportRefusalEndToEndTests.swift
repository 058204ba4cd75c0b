import Foundation
import Hub
import Procore
import ProcoreSandbox
import Testing
@testable import TielineCLI
import TielineCore

/// ERP requests Procore's accounting approver already approved, which Tieline refuses: each request detail is
/// closed as failed with the reason, which is what Procore shows the user; nothing reaches Sage.
@Suite("Refused ERP requests end to end", .timeLimit(.minutes(5)))
struct ExportRefusalEndToEndTests {
    /// Procore's sample request as another PCCO (`id`, `number`, `detail`), edited further by `edit`.
    static func request(id: Int, number: String, detail: Int, _ edit: @escaping (String) -> String) throws -> JSONValue {
        try ExportEndToEndTests.sampleRequest {
            edit($0.replacingOccurrences(of: "\"id\": 7781", with: "\"id\": \(id)")
                   .replacingOccurrences(of: "\"number\": \"007\"", with: "\"number\": \"\(number)\"")
                   .replacingOccurrences(of: "\"request_detail_id\": 5120", with: "\"request_detail_id\": \(detail)"))
        }
    }

    @Test func approvedInProcoreButRefusedClosesTheRequestDetailAsFailedWithTheReason() async throws {
        try await ExportEndToEndTests.withStack { stack in
            // A contract item Sage does not have: the mirror cannot decide, so Sage is asked, and Sage refuses.
            try stack.sandbox.enqueueERPRequest(try Self.request(id: 7783, number: "009", detail: 5123) {
                $0.replacingOccurrences(of: "\"prime_line_item_origin_code\": \"200\"", with: "\"prime_line_item_origin_code\": \"999\"")
            })
            // A title longer than Sage's Description: refused by the hub at once.
            try stack.sandbox.enqueueERPRequest(try Self.request(id: 7784, number: "010", detail: 5124) {
                $0.replacingOccurrences(of: "\"title\": \"Added storm drain\"", with: "\"title\": \"Added storm drain along the north lot\"")
            })
            let missingItem = try await DemoCommand.arrival(of: 7783, stack: stack)
            let longTitle = try await DemoCommand.arrival(of: 7784, stack: stack)

            let item = try await stack.waitFor(export: missingItem.id, [.failed, .synced])
            #expect(item.status == .failed)
            let itemReason = "line 2 (id 88002, Catch basin): contract item '999' does not exist on contract 24-118"
            #expect(item.error?.contains(itemReason) == true, "\(item.error ?? "")")
            let actions = try await stack.storage.exportEvents(id: item.id, site: stack.site).map(\.action)
            #expect(Array(actions.prefix(3)) == ["received", "checking", "checked"], "Sage decided, not the mirror: \(actions)")

            let title = try await stack.waitFor(export: longTitle.id, [.failed, .synced])
            #expect(title.status == .failed)
            let titleReason = "PCCO title 'Added storm drain along the north lot' is 37 characters; Sage's Description allows at most 30"
            #expect(title.error?.contains(titleReason) == true, "\(title.error ?? "")")

            for (detail, reason) in [(5123, itemReason), (5124, titleReason)] {
                let closed = try await ExportEndToEndTests.eventually { stack.sandbox.requestDetail(detail)?.status == "failed" }
                #expect(closed, "request detail \(detail): \(stack.sandbox.requestDetail(detail)?.status ?? "none")")
                let messages = stack.sandbox.requestDetail(detail)?.messages ?? []
                #expect(messages.contains { $0.contains(reason) }, "request detail \(detail): \(messages)")
            }
            #expect(try ExportEndToEndTests.changeOrders(stack, reference: "procore:pcco:7783") == 0)
            #expect(try ExportEndToEndTests.changeOrders(stack, reference: "procore:pcco:7784") == 0)
        }
    }
}
