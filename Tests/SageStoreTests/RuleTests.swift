import Testing
import GRDB
@testable import SageStore
import SageModel
import TielineCore

@Suite("Sage's rules")
struct RuleTests {
    let date = try! CalendarDate(parsing: "2024-02-01")

    @Test func contractMustBeApprovedBeforeItTakesChangeOrders() throws {
        let company = try makeCompany()
        #expect(throws: TielineError(.contractNotApproved, "contract J-2 is Pending; a contract must be Approved before it takes change orders")) {
            try company.write { db throws in try ChangeOrder(contract: "J-2", changeOrder: "001", description: "x", date: date, amount: .zero).insert(db) }
        }
        // The trigger holds the rule for raw SQL too.
        do {
            try company.write { db throws in
                try db.execute(sql: "INSERT INTO CNC_ACTIVE__CHANGE_ORDER (Contract, Change_Order, Status, Change_Order_Date) VALUES ('J-2', '001', 'Approved', '2024-02-01')")
            }
            Issue.record("expected contract_not_approved")
        } catch {
            #expect(error.code == .contractNotApproved)
        }
        // Once approved, it takes one.
        try company.write { db throws in
            try db.execute(sql: "UPDATE CNC_ACTIVE__CONTRACT SET Status = 'Approved' WHERE Contract = 'J-2'")
            try ChangeOrder(contract: "J-2", changeOrder: "001", description: "x", date: date, amount: .zero).insert(db)
        }
    }

    @Test func changeOrderNumberIsUniquePerContract() throws {
        let company = try makeCompany()
        try company.write { db throws in
            try db.execute(sql: "UPDATE CNC_ACTIVE__CONTRACT SET Status = 'Approved' WHERE Contract = 'J-2'")
            try ChangeOrder(contract: "J-1", changeOrder: "001", description: "a", date: date, amount: .zero).insert(db)
            // The same number on another contract is fine.
            try ChangeOrder(contract: "J-2", changeOrder: "001", description: "b", date: date, amount: .zero).insert(db)
        }
        #expect(throws: TielineError(.duplicateKey, "change order 001 already exists on contract J-1")) {
            try company.write { db throws in try ChangeOrder(contract: "J-1", changeOrder: "001", description: "c", date: date, amount: .zero).insert(db) }
        }
        // And raw SQL hits the unique key.
        #expect(throws: TielineError.self) {
            try company.write { db throws in
                try db.execute(sql: "INSERT INTO CNC_ACTIVE__CHANGE_ORDER (Contract, Change_Order, Status, Change_Order_Date) VALUES ('J-1', '001', 'Approved', '2024-02-01')")
            }
        }
    }

    @Test func postedTransactionsAreImmutable() throws {
        let company = try makeCompany()
        let cost = JCTransaction(job: "J-1", costCode: "02-200", category: "S", transactionType: TransactionType.jcCost,
                                 accountingDate: date, amount: Money(cents: 5_000))
        try company.write { db throws in try PostedTransaction(run: 1, sequence: 1, transaction: cost).insert(db) }
        for sql in ["UPDATE JCT_CURRENT__TRANSACTION SET Amount = 1", "DELETE FROM JCT_CURRENT__TRANSACTION"] {
            do {
                try company.write { db throws in try db.execute(sql: sql) }
                Issue.record("expected posted_transaction_immutable for \(sql)")
            } catch {
                #expect(error.code == .postedTransactionImmutable)
                #expect(error.message.contains("reversing"))
            }
        }
        // A correction is a reversing entry, which is allowed.
        var reversal = cost
        reversal.amount = -cost.amount
        try company.write { db throws in try PostedTransaction(run: 1, sequence: 2, transaction: reversal).insert(db) }
        let net = try company.read { db throws in try Int64.fetchOne(db, sql: "SELECT SUM(Amount) FROM JCT_CURRENT__TRANSACTION") }
        #expect(net == 0)
    }

    @Test func companyKnowsWhetherItOwnsPJ() throws {
        #expect(try makeCompany().ownsPJ() == false)
        #expect(try makeCompany(modules: SageModule.standard.union([.pj])).ownsPJ() == true)
    }
}
