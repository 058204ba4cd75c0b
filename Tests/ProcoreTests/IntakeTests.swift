import Foundation
import Procore
import ProcoreSandbox
import Testing
import TielineCore

@Suite("PCCO intake against the sandbox")
struct IntakeTests {
    static let longAgo = Date(timeIntervalSince1970: 1_700_000_000)

    @Test("a poll with nothing new costs exactly one request per linked project")
    func quietPoll() async throws {
        try await Harness.with(configure: { $0.syntheticProjects = 4 }) { h in
            try await h.sandbox.importSampleJobs(4, client: h.client)
            let intake = ProcoreIntake(client: h.client)
            let linked = try await intake.refreshLinkedProjects()
            #expect(linked.count == 4) // the projects made in Procore are left out
            let before = h.sandbox.requestCount
            let result = try await intake.poll(since: Self.longAgo)
            #expect(result.exports.isEmpty)
            #expect(result.failures.isEmpty)
            #expect(h.sandbox.requestCount - before == 4)
            #expect(h.sandbox.requestLog.suffix(4).allSatisfy { $0.hasSuffix("/prime_change_orders") })
        }
    }

    @Test("public API: finds an approved PCCO, exact, then not again once written back")
    func publicAPIRoundTrip() async throws {
        try await Harness.with { h in
            let project = try await h.sandbox.importSampleJobs(1, client: h.client)[0]
            let contract = try #require(h.sandbox.primeContracts.first { $0.projectID == project.id })
            let item = contract.items[0]
            let pcco = try h.sandbox.createApprovedPCCO(PCCOSpec(
                projectID: project.id, number: "007", title: "Added storm drain",
                lines: [.init(contractItem: item.originCode!, amount: .of("10000.00"), description: "Trench")],
                markupPercent: 15, transactionDate: try CalendarDate(year: 2024, month: 9, day: 20)))
            let intake = ProcoreIntake(client: h.client)
            let exports = try await intake.pendingExports(since: Self.longAgo)
            let export = try #require(exports.first)
            #expect(exports.count == 1)
            #expect(export.intake == .publicAPI)
            #expect(export.pccoID == pcco.id)
            #expect(export.job == project.originCode)
            #expect(export.contract == contract.originCode)
            #expect(export.number == "007")
            #expect(export.transactionDate == (try CalendarDate(year: 2024, month: 9, day: 20)))
            #expect(export.lines.count == 1)
            // The sandbox sends the documented shape: amount includes the 15 % markup, extended_amount is before it.
            #expect(export.lines[0].amount == .of("11500.00"))
            #expect(export.lines[0].extendedAmount == .of("10000.00"))
            #expect(export.lines[0].contractItem == item.originCode)
            #expect(export.lines[0].markups.map(\.amount) == [.of("1500.00")])
            #expect(export.total == .of("11500.00"))

            // Update Prime Change Order documents no origin_id / origin_code: nothing is written to Procore,
            // the hub's queue keeps the link.
            let calls = h.sandbox.requestCount
            try await intake.reportSynced(export, keys: SageKeys.standard(for: export))
            #expect(h.sandbox.requestCount == calls)
            let synced = try #require(h.sandbox.changeOrders.first { $0.id == pcco.id })
            #expect(synced.originID == nil)
        }
    }

    @Test("public API: the updated_at window leaves out older PCCOs")
    func updatedWindow() async throws {
        try await Harness.with { h in
            try await h.sandbox.importSampleJobs(1, client: h.client)
            try h.sandbox.createApprovedPCCO()
            let intake = ProcoreIntake(client: h.client)
            h.clock.advance(by: .seconds(3600))
            #expect(try await intake.pendingExports(since: h.clock.now().addingTimeInterval(-60)).isEmpty)
            #expect(try await intake.pendingExports(since: h.clock.now().addingTimeInterval(-7200)).count == 1)
        }
    }

    @Test("ERP requests: create event parsed, origin ids synced back, request detail closed")
    func erpRoundTrip() async throws {
        try await Harness.with { h in
            try await h.sandbox.importSampleJobs(2, client: h.client)
            let imported = h.sandbox.lastERPRequestID
            let pcco = try h.sandbox.createApprovedPCCO(PCCOSpec(markupPercent: 10))
            let intake = ProcoreIntake(client: h.client)
            let requests = try await intake.fetchERPRequests(after: imported)
            #expect(requests.count == 1)
            let request = try #require(requests.first)
            #expect(request.error == nil)
            guard case .createChangeOrder(let export)? = request.event, case .erpRequest(let detailID) = export.intake else {
                Issue.record("expected a create event, got \(String(describing: request.event)) \(String(describing: request.error))")
                return
            }
            #expect(export.pccoID == pcco.id)
            #expect(export.lines.map(\.amount) == pcco.lines.map(\.amount))
            #expect(export.lines[0].markups.count == 1)
            #expect(h.sandbox.requestDetail(detailID)?.status == "pending")

            try await intake.reportSynced(export, keys: SageKeys.standard(for: export), messages: ["Written to Sage"])
            #expect(h.sandbox.requestDetail(detailID)?.status == "success")
            #expect(h.sandbox.requestDetail(detailID)?.messages == ["Written to Sage"])
            let updates = h.sandbox.externalUpdates
            #expect(updates.first?.itemType == "change_order")
            #expect(updates.filter { $0.itemType == "line_item" }.count == pcco.lines.count)
            #expect(updates.filter { $0.itemType == "markup" }.count == 1)
            #expect(h.sandbox.changeOrders.first { $0.id == pcco.id }?.originID != nil)
            #expect(try await intake.fetchERPRequests(after: request.id).isEmpty)
        }
    }

    @Test("ERP requests: a failure closes the request detail with the user's messages")
    func erpFailure() async throws {
        try await Harness.with { h in
            try await h.sandbox.importSampleJobs(1, client: h.client)
            let imported = h.sandbox.lastERPRequestID
            try h.sandbox.createApprovedPCCO()
            let intake = ProcoreIntake(client: h.client)
            guard case .createChangeOrder(let export)? = try await intake.fetchERPRequests(after: imported).first?.event,
                  case .erpRequest(let detailID) = export.intake else {
                Issue.record("no create event")
                return
            }
            try await intake.reportFailed(export, messages: ["Contract 24-118 is Pending; approve it in Sage first"])
            #expect(h.sandbox.requestDetail(detailID)?.status == "failed")
            #expect(h.sandbox.requestDetail(detailID)?.messages == ["Contract 24-118 is Pending; approve it in Sage first"])
        }
    }

    @Test("the sandbox is deterministic for a seed")
    func deterministicSeed() async throws {
        var ids: [[String?]] = []
        for _ in 0..<2 {
            try await Harness.with(configure: { $0.seed = 42 }) { h in
                try h.sandbox.createApprovedPCCO(PCCOSpec(sendToERP: false))
                ids.append(h.sandbox.projects.map(\.originCode) + h.sandbox.changeOrders.map { "\($0.id):\($0.lines.map(\.amount))" })
            }
        }
        #expect(ids[0] == ids[1])
    }

    @Test("the sandbox's faults endpoint rejects unknown faults")
    func faultsEndpoint() throws {
        #expect(throws: TielineError.self) { try SandboxFaults(json: .object(["rate_limt_burst": .number("1")])) }
        let faults = try SandboxFaults(json: .object(["rate_limit_burst": .number("2"), "slow_seconds": .number("0.5")]))
        #expect(faults.rateLimitBurst == 2)
        #expect(faults.slowSeconds == 0.5)
    }
}

@Suite("Sandbox lifecycle")
struct SandboxLifecycleTests {
    @Test("a port already taken is an error, not a hang")
    func portTaken() async throws {
        let first = try await ProcoreSandbox.start()
        var config = SandboxConfiguration()
        config.port = first.baseURL.port!
        await #expect(throws: (any Error).self) { _ = try await ProcoreSandbox.start(config) }
        await first.shutdown()
    }
}
