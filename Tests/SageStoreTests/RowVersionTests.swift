import Testing
import GRDB
@testable import SageStore
import SageModel
import TielineCore

@Suite("Change markers")
struct RowVersionTests {
    func version(_ company: SageCompany, _ table: String, _ condition: String) throws -> Int64 {
        try company.read { db throws in try Int64.fetchOne(db, sql: "SELECT Row_Version FROM \(table) WHERE \(condition)")! }
    }

    @Test func insertUpdateAndDeleteEachTakeTheNextVersion() throws {
        let company = try makeCompany()
        let before = try company.currentRowVersion()
        try company.write { db throws in try Job(job: "J-9", description: "New").insert(db) }
        let inserted = try version(company, "JCM_MASTER__JOB", "Job = 'J-9'")
        #expect(inserted == before + 1, "one version per insert")

        try company.write { db throws in try db.execute(sql: "UPDATE JCM_MASTER__JOB SET Description = 'Renamed' WHERE Job = 'J-9'") }
        let updated = try version(company, "JCM_MASTER__JOB", "Job = 'J-9'")
        #expect(updated == inserted + 1)
        // Other rows keep theirs.
        #expect(try version(company, "JCM_MASTER__JOB", "Job = 'J-1'") < inserted)

        try company.write { db throws in try db.execute(sql: "DELETE FROM JCM_MASTER__JOB WHERE Job = 'J-9'") }
        let tombstones = try company.read { db throws in
            try Row.fetchAll(db, sql: "SELECT Table_Name, Key_Values, Row_Version FROM TIELINE_TOMBSTONE")
        }
        #expect(tombstones.count == 1)
        #expect(tombstones[0]["Table_Name"] as String == "JCM_MASTER__JOB")
        #expect(tombstones[0]["Key_Values"] as String == #"["J-9"]"#)
        #expect(tombstones[0]["Row_Version"] as Int64 == updated + 1)
        #expect(try company.currentRowVersion() == updated + 1)
    }

    @Test func keyChangeLeavesATombstoneForTheOldKey() throws {
        let company = try makeCompany()
        try company.write { db throws in try db.execute(sql: "UPDATE CNC_ACTIVE__CONTRACT_ITEM SET Item = '150' WHERE Contract = 'J-1' AND Item = '100'") }
        let keys = try company.read { db throws in try String.fetchAll(db, sql: "SELECT Key_Values FROM TIELINE_TOMBSTONE WHERE Table_Name = 'CNC_ACTIVE__CONTRACT_ITEM'") }
        #expect(keys == [#"["J-1","100"]"#])
    }

    @Test func versionsAreOrderedAcrossTables() throws {
        let company = try makeCompany()
        let date = try CalendarDate(parsing: "2024-01-01")
        try company.write { db throws in
            try Job(job: "J-5", description: "a").insert(db)
            try UnpostedTransaction(batch: "B", entry: 1, transaction: JCTransaction(job: "J-5", transactionType: TransactionType.jcCost, accountingDate: date, amount: .zero)).insert(db)
        }
        let job = try version(company, "JCM_MASTER__JOB", "Job = 'J-5'")
        let entry = try version(company, "JCT_UNPOSTED__TRANSACTION", "Entry = 1")
        #expect(entry == job + 1)
        // Every table carries the marker and an index on it.
        try company.read { db throws in
            for table in SageSchema.tables {
                #expect(try db.columns(in: table.name).contains { $0.name == "Row_Version" }, "\(table.name)")
                #expect(try db.indexes(on: table.name).contains { $0.columns == ["Row_Version"] }, "\(table.name)")
            }
        }
    }
}
