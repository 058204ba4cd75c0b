import Foundation
import GRDB
@testable import SageStore
import SageModel
import Testing
import TielineCore

/// Sage's evidenced names, Row_ID GUIDs, and company files of the previous version migrating.
@Suite("Row_ID and the v1 → v2 migration")
struct RowIDAndMigrationTests {
    static var guid: Regex<Substring> { #/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/# }

    @Test func everyRecordGetsAGUIDThatLastsItsLife() throws {
        let company = try makeCompany()
        let before = try company.read { db in
            try String.fetchOne(db, sql: "SELECT Row_ID FROM JCM_MASTER__JOB WHERE Job = 'J-1'")
        }
        let id = try #require(before)
        #expect(id.wholeMatch(of: Self.guid) != nil, "\(id)")
        try company.write { db in
            try db.execute(sql: "UPDATE JCM_MASTER__JOB SET Description = 'Clinic, phase 2' WHERE Job = 'J-1'")
        }
        #expect(try company.read { db in try String.fetchOne(db, sql: "SELECT Row_ID FROM JCM_MASTER__JOB WHERE Job = 'J-1'") } == id)
        // Every table carries one, each distinct.
        for table in SageSchema.tables {
            let (rows, distinct) = try company.read { db in
                let row = try Row.fetchOne(db, sql: "SELECT COUNT(*), COUNT(DISTINCT Row_ID) FROM \(table.name)")!
                return (row[0] as Int, row[1] as Int)
            }
            #expect(rows == distinct, "\(table.name)")
        }
    }

    @Test func aPostedEntryKeepsItsRowIDAndBatch() throws {
        let company = try makeCompany()
        try company.write { db in
            var t = JCTransaction(job: "J-1", extra: "", costCode: "02-200", category: "S", transactionType: TransactionType.approvedEstimateChange,
                                  accountingDate: try CalendarDate(parsing: "2026-11-30"), description: "Change", amount: Money(cents: 500))
            t.changeOrder = "001"
            try UnpostedTransaction(batch: "PROCORE", entry: 1, transaction: t).insert(db)
        }
        let unposted = try company.read { db in try String.fetchOne(db, sql: "SELECT Row_ID FROM JCT_UNPOSTED__TRANSACTION") }
        try company.postEntries(batch: "PROCORE")
        let posted = try company.read { db in try Row.fetchOne(db, sql: "SELECT Row_ID, Batch FROM JCT_CURRENT__TRANSACTION WHERE Change_Order = '001'") }
        #expect(posted?["Row_ID"] as String? == unposted)
        #expect(posted?["Batch"] as String? == "PROCORE")
    }

    @Test func aCompanyFileOfThePreviousVersionOpensAndMigrates() throws {
        // The fixture is the previous version's file as SQL text (sqlite3 .dump), replayed into a file here.
        let fixture = try #require(Bundle.module.url(forResource: "v1-company", withExtension: "sql", subdirectory: "Fixtures"))
        let path = temporaryPath("v1.sqlite")
        try DatabaseQueue(path: path).writeWithoutTransaction { db in
            try db.execute(sql: String(contentsOf: fixture, encoding: .utf8))
        }
        let (oldJobs, oldVersions, oldEstimates) = try DatabaseQueue(path: path).read { db in
            (try Row.fetchAll(db, sql: "SELECT Job, Start_Date FROM JCM_MASTER__JOB ORDER BY Job").map { "\($0["Job"] as String) \($0["Start_Date"] as String? ?? "-")" },
             try Int.fetchOne(db, sql: "SELECT SUM(Row_Version) FROM JCT_CURRENT__TRANSACTION"),
             try Int.fetchOne(db, sql: "SELECT SUM(Approved_Est_Changes) FROM JCM_MASTER__CATEGORY"))
        }

        let company = try SageCompany.open(at: path)
        try company.read { db in
            let jobs = try Row.fetchAll(db, sql: "SELECT Job, Estimated_Start_Date FROM JCM_MASTER__JOB ORDER BY Job")
                .map { "\($0["Job"] as String) \($0["Estimated_Start_Date"] as String? ?? "-")" }
            #expect(jobs == oldJobs)
            // Rows keep their change markers, so an agent's checkpoint still holds after the upgrade.
            #expect(try Int.fetchOne(db, sql: "SELECT SUM(Row_Version) FROM JCT_CURRENT__TRANSACTION") == oldVersions)
            #expect(try Int.fetchOne(db, sql: "SELECT SUM(Approved_Estimate_Changes) FROM JCM_MASTER__CATEGORY") == oldEstimates)
            // The previous generator's equipment types are Sage's 5-character codes now, posted and unposted alike.
            let equipment = try Row.fetchAll(db, sql: "SELECT Equipment, Equipment_Type FROM JCT_CURRENT__TRANSACTION WHERE Equipment_Type IS NOT NULL ORDER BY Sequence")
                .map { "\($0["Equipment"] as String) \($0["Equipment_Type"] as String)" }
            #expect(equipment == ["CR-090 CRANE", "TR-118 TRUCK", "SK-301 SKID", "EX-210 EXCAV", "LD-044 LOADR", "GN-007 GEN"])
            #expect(try String.fetchAll(db, sql: "SELECT Equipment_Type FROM JCT_UNPOSTED__TRANSACTION WHERE Equipment_Type IS NOT NULL") == ["EXCAV"])
            // v1's commitment types are Sage's spellings now, in both transaction tables; nothing keeps the old one.
            let commitments = try Row.fetchAll(db, sql: """
                SELECT Transaction_Type, COUNT(*) AS n FROM JCT_CURRENT__TRANSACTION
                WHERE Transaction_Type IN ('Commitment', 'Commitment change', ?, ?) GROUP BY Transaction_Type ORDER BY Transaction_Type
                """, arguments: [TransactionType.commitment, TransactionType.commitmentChange]).map { "\($0["Transaction_Type"] as String) \($0["n"] as Int)" }
            #expect(commitments == ["Aprvd cmmtt cst chng 2", "Committed cost 2"])
            #expect(try String.fetchAll(db, sql: "SELECT Transaction_Type FROM JCT_UNPOSTED__TRANSACTION ORDER BY Entry") == ["Committed cost", "EQ cost"])
            // A v1 job's approved contract changes are what posting added to its revised amount.
            let changes = try Row.fetchAll(db, sql: "SELECT Job, JTD_Aprvd_Contract_Chgs FROM JCM_MASTER__JOB ORDER BY Job")
                .map { "\($0["Job"] as String) \($0["JTD_Aprvd_Contract_Chgs"] as Int64)" }
            #expect(changes == ["20-201 11840000", "21-202 9490000", "24-118 1250000"])
            let ids = try String.fetchAll(db, sql: "SELECT Row_ID FROM JCT_CURRENT__TRANSACTION")
            #expect(Set(ids).count == ids.count && ids.allSatisfy { $0.wholeMatch(of: Self.guid) != nil })
        }
        // Triggers work on the rebuilt tables: a change bumps the version and posted history stays immutable.
        try company.write { db in try db.execute(sql: "UPDATE JCM_MASTER__JOB SET Description = 'Renamed' WHERE Job = '24-118'") }
        #expect(try company.read { db in try Int.fetchOne(db, sql: "SELECT Row_Version FROM JCM_MASTER__JOB WHERE Job = '24-118'") }! > 0)
        #expect(throws: TielineError.self) {
            try company.write { db in try db.execute(sql: "DELETE FROM JCT_CURRENT__TRANSACTION") }
        }
        // Opening again runs nothing twice.
        _ = try SageCompany.open(at: path)
    }
}
