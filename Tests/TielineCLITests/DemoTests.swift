import Testing
import Foundation
import GRDB
@testable import TielineCLI
import Agent
import Sage300
import TielineCore

@Suite("tieline demo")
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

    @Test func demoWritesTheChangeOrderIntoTheSampleCompanyOnce() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("tieline-demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let command = try TielineCommand.parseAsRoot(["demo", "--home", home.path, "--jobs", "4", "--transactions", "200"])
        var demo = try #require(command as? DemoCommand)
        try await demo.run()

        let company = try SageCompany.open(at: home.appendingPathComponent("demo/company.sqlite").path)
        try company.read { db throws in
            let co = try ChangeOrder.fetchOne(db, sql: "SELECT * FROM CNC_ACTIVE__CHANGE_ORDER WHERE Chg_Mgmt_Ref_1 = 'procore:pcco:7781'")
            #expect(co?.changeOrder == "007")
            #expect(co?.amount.description == "12500.00")
            // Posted: the batch is empty and the history carries the five entries of the export.
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM JCT_UNPOSTED__TRANSACTION") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM JCT_CURRENT__TRANSACTION WHERE Chg_Mgmt_Ref_1 = 'procore:pcco:7781'") == 5)
            #expect(try Int64.fetchOne(db, sql: "SELECT Revised_Contract_Amount FROM JCM_MASTER__JOB WHERE Job = '24-118'") == 427_500_000)
        }
    }
}
