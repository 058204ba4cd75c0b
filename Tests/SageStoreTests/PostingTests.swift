import Testing
import GRDB
@testable import SageStore
import SageModel
import TielineCore

@Suite("Post Entries")
struct PostingTests {
    let date = try! CalendarDate(parsing: "2024-03-01")

    func entry(_ type: String, item: String?, code: String, category: String?, cents: Int64) -> JCTransaction {
        var t = JCTransaction(job: "J-1", costCode: code, category: category, transactionType: type, accountingDate: date, amount: Money(cents: cents))
        if let item { t.contract = "J-1"; t.item = item; t.changeOrder = "001" }
        return t
    }

    @Test func movesTheBatchAndRollsAmountsUp() throws {
        let company = try makeCompany()
        try company.write { db throws in
            let lines = [
                entry(TransactionType.approvedScheduledValueChange, item: "100", code: "02-200", category: nil, cents: 10_001),
                entry(TransactionType.approvedScheduledValueChange, item: "200", code: "03-300", category: nil, cents: 2_000),
                entry(TransactionType.approvedEstimateChange, item: nil, code: "02-200", category: "S", cents: 7_000),
                entry(TransactionType.pendingEstimateChange, item: nil, code: "03-300", category: "M", cents: 300),
                entry(TransactionType.apCost, item: nil, code: "02-200", category: "S", cents: 4_321),
            ]
            for (index, line) in lines.enumerated() {
                try UnpostedTransaction(batch: "B1", entry: Int64(index + 1), transaction: line).insert(db)
            }
        }
        let summary = try company.postEntries(batch: "B1")
        #expect(summary.transactions == 5)
        #expect(summary.run == 1)
        #expect(summary.totals[TransactionType.approvedScheduledValueChange] == Money(cents: 12_001))

        try company.read { db throws in
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM JCT_UNPOSTED__TRANSACTION") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM JCT_CURRENT__TRANSACTION WHERE Run = 1") == 5)
            #expect(try Int.fetchAll(db, sql: "SELECT Sequence FROM JCT_CURRENT__TRANSACTION ORDER BY Sequence") == [1, 2, 3, 4, 5])
            let job = try Job.fetchOne(db, sql: "SELECT * FROM JCM_MASTER__JOB WHERE Job = 'J-1'")!
            #expect(job.revisedContractAmount == Money(cents: 300_000 + 12_001))
            let items = try ContractItem.fetchAll(db, sql: "SELECT * FROM CNC_ACTIVE__CONTRACT_ITEM ORDER BY Item")
            #expect(items.map(\.revisedScheduledValue) == [Money(cents: 110_001), Money(cents: 202_000)])
            let contract = try Contract.fetchOne(db, sql: "SELECT * FROM CNC_ACTIVE__CONTRACT WHERE Contract = 'J-1'")!
            #expect(contract.revisedAmount == Money(cents: 312_001))
            let sitework = try Category.fetchOne(db, sql: "SELECT * FROM JCM_MASTER__CATEGORY WHERE Job = 'J-1' AND Cost_Code = '02-200'")!
            #expect(sitework.approvedEstimateChanges == Money(cents: 7_000))
            #expect(sitework.jtdCost == Money(cents: 4_321))
            let building = try Category.fetchOne(db, sql: "SELECT * FROM JCM_MASTER__CATEGORY WHERE Job = 'J-1' AND Cost_Code = '03-300'")!
            #expect(building.pendingEstimateChanges == Money(cents: 300))
            #expect(building.approvedEstimateChanges == .zero)
        }
        // The next posting gets the next run.
        try company.write { db throws in
            try UnpostedTransaction(batch: "B2", entry: 1, transaction: entry(TransactionType.jcCost, item: nil, code: "02-200", category: "S", cents: 1)).insert(db)
        }
        #expect(try company.postEntries(batch: "B2").run == 2)
    }

    @Test func aPostedPCCORaisesTheJobsJTDApprovedContractChanges() throws {
        let company = try makeCompany()
        func job() throws -> (revised: Int64, jtd: Int64) {
            try company.read { db throws in
                let row = try Row.fetchOne(db, sql: "SELECT Revised_Contract_Amount, JTD_Aprvd_Contract_Chgs FROM JCM_MASTER__JOB WHERE Job = 'J-1'")!
                return (row[0], row[1])
            }
        }
        #expect(try job() == (300_000, 0))
        // A PCCO as the export writes it: approved scheduled value changes on contract items; a pending one beside it.
        try company.write { db throws in
            let lines = [
                entry(TransactionType.approvedScheduledValueChange, item: "100", code: "02-200", category: nil, cents: 23_000),
                entry(TransactionType.approvedScheduledValueChange, item: "200", code: "03-300", category: nil, cents: -4_500),
                entry(TransactionType.pendingScheduledValueChange, item: "200", code: "03-300", category: nil, cents: 9_999),
            ]
            for (index, line) in lines.enumerated() {
                try UnpostedTransaction(batch: "PROCORE", entry: Int64(index + 1), transaction: line).insert(db)
            }
        }
        try company.postEntries(batch: "PROCORE")
        #expect(try job() == (300_000 + 18_500, 18_500))
        // A second PCCO adds to what the first left: job to date.
        try company.write { db throws in
            try UnpostedTransaction(batch: "PROCORE", entry: 1, transaction: entry(TransactionType.approvedScheduledValueChange, item: "100", code: "02-200", category: nil, cents: 1_500)).insert(db)
        }
        try company.postEntries(batch: "PROCORE")
        #expect(try job() == (300_000 + 20_000, 20_000))
    }

    @Test func refusesABatchCodedToMissingRecordsAndChangesNothing() throws {
        let company = try makeCompany()
        try company.write { db throws in
            try UnpostedTransaction(batch: "B1", entry: 1, transaction: entry(TransactionType.approvedScheduledValueChange, item: "100", code: "02-200", category: nil, cents: 500)).insert(db)
            try UnpostedTransaction(batch: "B1", entry: 2, transaction: entry(TransactionType.jcCost, item: nil, code: "99-999", category: "S", cents: 500)).insert(db)
        }
        #expect(throws: TielineError(.postingFailed, "cannot post batch B1: entry 2 is coded to a cost code that does not exist (Job J-1, Cost_Code 99-999, Category S); nothing was posted")) {
            try company.postEntries(batch: "B1")
        }
        try company.read { db throws in
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM JCT_UNPOSTED__TRANSACTION") == 2)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM JCT_CURRENT__TRANSACTION") == 0)
            #expect(try Int64.fetchOne(db, sql: "SELECT Revised_Scheduled_Value FROM CNC_ACTIVE__CONTRACT_ITEM WHERE Item = '100'") == 100_000)
        }
    }
}
