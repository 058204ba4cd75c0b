import Testing
import Foundation
import GRDB
@testable import TielineCLI
import Agent
import Hub
import SageStore
import SageModel
import TielineCore

@Suite("tieline demo", .timeLimit(.minutes(5)))
struct DemoTests {
    @Test func theEmbeddedSampleParsesExactly() throws {
        let export = try DemoPCCO.export()
        #expect(export.job == "24-118")
        #expect(export.contract == "24-118")
        #expect(export.number == "007")
        #expect(export.transactionDate?.description == "2024-09-20")
        #expect(export.total.description == "12500.00")
        #expect(export.lines.flatMap(\.markups).map { "\($0.costCode)/\($0.category) \($0.amount)" } == ["01-900/O 1500.00"])
    }

    @Test func demoCarriesAPCCOFromProcoreIntoSageAndBack() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("tieline-demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let command = try TielineCommand.parseAsRoot(["demo", "--home", home.path, "--jobs", "4", "--transactions", "200"])
        let demo = try #require(command as? DemoCommand)
        try await demo.run()

        let company = try SageCompany.open(at: home.appendingPathComponent("demo/company.sqlite").path)
        try company.read { db throws in
            let cos = try ChangeOrder.fetchAll(db, sql: "SELECT * FROM CNC_ACTIVE__CHANGE_ORDER WHERE Chg_Mgmt_Ref_1 LIKE 'procore:pcco:%'")
            #expect(cos.count == 1)
            let co = try #require(cos.first)
            #expect(co.changeOrder == "007")
            #expect(co.description == "Added storm drain")
            // Posted: the batch is empty and the history carries the export's entries.
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM JCT_UNPOSTED__TRANSACTION") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM JCT_CURRENT__TRANSACTION WHERE Chg_Mgmt_Ref_1 = ?", arguments: [co.chgMgmtRef1]) ?? 0 >= 2)
        }
        // The hub recorded it Synced; Procore's approval was the only one (no Accept in the hub), and the money is
        // Procore's: the change order's amount is the sum of the lines' amounts, markups included once.
        let storage = try SQLiteHubStorage(path: home.appendingPathComponent("demo/hub.sqlite").path)
        let site = try #require(try await storage.sites().first)
        let exports = try await storage.exports(site: site, statuses: [.synced], limit: 10)
        #expect(exports.count == 1)
        let events = try await storage.exportEvents(id: exports[0].id, site: site)
        #expect(!events.contains { $0.action == "accepted" })
        #expect(events.first?.detail?.contains("approved in Procore") == true)
        let export = exports[0].export
        #expect(export.total == export.lines.map(\.amount).sum())
        let amount = try company.read { db in
            try Int64.fetchOne(db, sql: "SELECT Amount FROM CNC_ACTIVE__CHANGE_ORDER WHERE Chg_Mgmt_Ref_1 LIKE 'procore:pcco:%'")
        }
        #expect(amount == export.total.cents)
    }
}
