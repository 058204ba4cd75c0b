import Testing
import GRDB
@testable import SageStore
import SageModel
import TielineCore

@Suite("Sage field lengths")
struct FieldLengthTests {
    @Test func overLongValueNamesTableColumnValueAndLimit() throws {
        let company = try makeCompany()
        do {
            try company.write { db throws in try Job(job: "JOB-TOO-LONG", description: "x").insert(db) }
            Issue.record("expected field_too_long")
        } catch {
            #expect(error.code == .fieldTooLong)
            #expect(error.message == "JCM_MASTER__JOB.Job: 'JOB-TOO-LONG' is 12 characters; Sage allows at most 10")
        }
        #expect(try company.count(table: SageSchema.job) == 2, "nothing was written")
    }

    @Test func descriptionLimitIsThirtyAndChangeOrderFive() throws {
        let company = try makeCompany()
        let date = try CalendarDate(parsing: "2024-02-01")
        #expect(throws: TielineError(.fieldTooLong, "CNC_ACTIVE__CHANGE_ORDER.Change_Order: '000007' is 6 characters; Sage allows at most 5")) {
            try company.write { db throws in try ChangeOrder(contract: "J-1", changeOrder: "000007", description: "ok", date: date, amount: .zero).insert(db) }
        }
        let title = String(repeating: "x", count: 31)
        #expect(throws: TielineError(.fieldTooLong, "CNC_ACTIVE__CHANGE_ORDER.Description: '\(title)' is 31 characters; Sage allows at most 30")) {
            try company.write { db throws in try ChangeOrder(contract: "J-1", changeOrder: "007", description: title, date: date, amount: .zero).insert(db) }
        }
        // Exactly at the limit is fine, counting characters rather than bytes.
        try company.write { db throws in
            try ChangeOrder(contract: "J-1", changeOrder: "00007", description: String(repeating: "é", count: 30), date: date, amount: .zero).insert(db)
        }
    }

    @Test func rawSQLIsHeldToTheSameLimits() throws {
        let company = try makeCompany()
        #expect(throws: TielineError.self) {
            try company.write { db throws in
                try db.execute(sql: "INSERT INTO JCM_MASTER__COST_CODE (Job, Extra, Cost_Code) VALUES ('J-1', '', '0123456789012')")
            }
        }
        do {
            try company.write { db throws in try db.execute(sql: "INSERT INTO JCM_MASTER__CATEGORY (Job, Extra, Cost_Code, Category) VALUES ('J-1', '', '02-200', 'ABCD')") }
        } catch {
            #expect(error.code == .fieldTooLong)
            #expect(error.message.contains("JCM_MASTER__CATEGORY.Category longer than 3"))
        }
    }

    @Test func everyDesignLengthIsInTheSchema() {
        let expected: [(String, String, Int)] = [
            ("JCM_MASTER__JOB", "Job", 10), ("JCM_MASTER__EXTRA", "Extra", 10), ("JCM_MASTER__COST_CODE", "Cost_Code", 12),
            ("JCM_MASTER__CATEGORY", "Category", 3), ("ARM_MASTER__CUSTOMER", "Customer", 10),
            ("ARM_MASTER__CUSTOMER_TYPE", "Customer_Type", 20), ("APM_MASTER__VENDOR", "Vendor", 10),
            ("APM_MASTER__INVOICE", "Invoice", 15), ("CNC_ACTIVE__CONTRACT", "Contract", 10),
            ("CNC_ACTIVE__CONTRACT_ITEM", "Item", 10), ("CNC_ACTIVE__CHANGE_ORDER", "Change_Order", 5),
            ("JCT_CURRENT__TRANSACTION", "Commitment", 12), ("JCT_CURRENT__TRANSACTION", "Commitment_CO", 10),
            ("JCT_CURRENT__TRANSACTION", "Description", 30), ("JCT_CURRENT__TRANSACTION", "Debit_Account", 25),
            ("JCT_CURRENT__TRANSACTION", "Transaction_Type", 20), ("JCT_CURRENT__TRANSACTION", "Draw", 15),
            ("JCT_CURRENT__TRANSACTION", "Employee", 10), ("JCT_CURRENT__TRANSACTION", "Pay_ID", 10),
            ("JCT_CURRENT__TRANSACTION", "Ref_1", 10), ("JCT_CURRENT__TRANSACTION", "Chg_Mgmt_Ref_1", 36),
        ]
        for (table, column, length) in expected {
            #expect(SageSchema.table(table)?.column(column)?.kind.length == length, "\(table).\(column)")
        }
        #expect(TransactionType.approvedScheduledValueChange.count <= 20)
    }
}
