import Foundation
import Hub
import SyncCore
import Testing
import TielineCore

/// The console's PCCO detail: each line's cost, amount and tax, the approval Procore already gave, and an ignored delivery's drift.
@Suite("Hub console PCCO detail")
struct HubConsoleExportDetailTests {
    /// A PCCO of one line: amount 1,250.00 with a 62.50 markup (so 1,187.50 before it) and tax 61.75.
    static func taxed(pccoID: Int, number: String, amount: String = "1250.00") throws -> ChangeOrderExport {
        ChangeOrderExport(
            intake: .erpRequest(requestDetailID: 900 + pccoID), procoreProjectID: 11, projectName: "Riverside Clinic", job: "24-118",
            procoreContractID: 21, contract: "24-118", pccoID: pccoID, number: number, title: "Storm drain", status: "approved",
            lines: [.init(procoreID: 1, position: 1, description: "Storm drain", amount: try Money(parsing: amount),
                          extendedAmount: try Money(parsing: amount) - Money(cents: 6_250), taxAmount: try Money(parsing: "61.75"),
                          contractItem: "100", costCode: "02-200", category: "S",
                          markups: [.init(procoreID: 2, name: "Fee", amount: Money(cents: 6_250), costCode: "01-900", category: "O")])])
    }

    @Test("the detail shows each line's cost, amount and tax (not written), and that Procore's approver already approved it")
    func linesTaxAndProcoresApproval() async throws {
        let hub = try await HubConsoleHarness.start()
        let site = try await hub.site("acme")
        let approved = try await hub.server.queue.receive(try Self.taxed(pccoID: 8101, number: "021"), site: site, approvedInProcore: true)
        let waiting = try await hub.server.queue.receive(try Self.taxed(pccoID: 8102, number: "022"), site: site)
        try await withWeb(hub.base) { web in
            _ = try await hub.signIn(web, site: "acme", user: "ann")
            let page = try await web.get("/console/exports/\(approved.id)")
            #expect(page.status == 200)
            #expect(page.body.contains(#"<th class="num">Tax (not written)</th>"#))
            // Cost (the line before markups), Amount (with markups), Tax.
            #expect(page.body.contains(#"<td>02-200</td><td>S</td><td class="num">1187.50</td><td class="num">1250.00</td><td class="num">61.75</td>"#),
                    "\(page.body)")
            #expect(page.body.contains(#"<td>Markup: Fee</td><td></td><td>01-900</td><td>O</td><td class="num">62.50</td>"#))
            #expect(page.body.contains("<li>Approved in Procore by the accounting approver: no Accept in the hub.</li>"))
            #expect(!page.body.contains(#"id="accept""#))
            // A PCCO waiting for the hub's Accept says nothing of an approval in Procore.
            let other = try await web.get("/console/exports/\(waiting.id)")
            #expect(other.status == 200)
            #expect(!other.body.contains("Approved in Procore"))
        }
        try await hub.stop()
    }

    @Test("a PCCO Procore sends again after it was Synced shows the ignored delivery's changes, and what was exported")
    func ignoredDeliveryDrift() async throws {
        let hub = try await HubConsoleHarness.start()
        let site = try await hub.site("acme")
        let record = try await hub.server.queue.receive(try Self.taxed(pccoID: 8103, number: "023"), site: site, approvedInProcore: true)
        _ = try await hub.storage.updateExport(id: record.id, site: site) { export in
            export.status = .synced
            export.problems = []
            return nil
        }
        let receipt = try await hub.server.queue.deliver(try Self.taxed(pccoID: 8103, number: "023", amount: "1300.00"), site: site,
                                                         approvedInProcore: true)
        #expect(receipt.ignored != nil)
        try await withWeb(hub.base) { web in
            _ = try await hub.signIn(web, site: "acme", user: "ann")
            let page = try await web.get("/console/exports/\(record.id)")
            #expect(page.body.contains(#"id="export-status">Synced</span>"#))
            #expect(page.body.contains("<li>Sent again by Procore after it was exported (ignored): line 1 (id 1, Storm drain): amount 1250.00 → 1300.00</li>"),
                    "\(page.body)")
            #expect(page.body.contains(#"<td class="num">1250.00</td>"#), "the page shows what was exported")
            #expect(!page.body.contains(#"<td class="num">1300.00</td>"#))
        }
        try await hub.stop()
    }
}
