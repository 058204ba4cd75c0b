import Foundation
import GRDB
@testable import SageStore
import SageModel
import Testing
import TielineCore

/// Pins Sage's evidenced names, lengths and spellings (issue #15) twice: in SageModel, and in the tables the
/// embedded store actually creates, so neither can drift back without a failing test.
@Suite("Sage's evidenced names and lengths")
struct SageNamesTests {
    static let job = SageSchema.job.name, category = SageSchema.category.name
    static let posted = SageSchema.transaction.name, unposted = SageSchema.unpostedTransaction.name

    /// (table, column, kind) as Sage has them.
    static let columns: [(String, String, ColumnKind)] = [
        (job, "Status", .text(20)), (job, "City", .text(15)), (job, "State", .text(4)),
        (job, "Billing_Method", .text(20)), (job, "Billing_Level", .text(20)),
        (job, "Estimated_Start_Date", .date), (job, "Revised_Start_Date", .date), (job, "Actual_Start_Date", .date),
        (job, "Use_PJ_Change_Management", .integer), (job, "AR_Customer", .text(10)), (job, "JTD_Aprvd_Contract_Chgs", .money),
        (category, "Approved_Estimate_Changes", .money), (category, "Pending_Estimate_Changes", .money),
        (posted, "Batch", .text(10)), (unposted, "Batch", .text(10)),
    ] + [posted, unposted].flatMap { table in [
        (table, "Equipment_Type", ColumnKind.text(5)), (table, "Chg_Mgmt_URL", .text(260)),
        (table, "Application_of_Origin", .text(3)), (table, "Transaction_Status", .text(20)),
        (table, "Operator_Stamp", .text(20)), (table, "Date_Stamp", .date), (table, "Time_Stamp", .text(8)),
    ] }

    /// v1 names that must not come back.
    static let gone: [(String, String)] = [
        (job, "Start_Date"), (category, "Approved_Est_Changes"), (category, "Pending_Est_Changes"),
    ]

    @Test(arguments: columns.indices)
    func sageModelHasTheColumn(_ index: Int) {
        let (table, column, kind) = Self.columns[index]
        #expect(SageSchema.table(table)?.column(column)?.kind == kind, "\(table).\(column)")
    }

    @Test func theEmbeddedStoreCreatesEveryColumnWithSagesLength() throws {
        let company = try SageCompany.inMemory()
        try company.read { db in
            for (table, column, kind) in Self.columns {
                let info = try Row.fetchAll(db, sql: "PRAGMA table_info(\(SchemaSQL.quoted(table)))")
                let row = info.first { $0["name"] as String == column }
                #expect(row?["type"] as String? == kind.sqlType, "\(table).\(column)")
                // The length lives in the column's CHECK, named after it.
                let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [table]) ?? ""
                if let length = kind.length {
                    #expect(sql.contains("CONSTRAINT \"\(table).\(column) longer than \(length)\" CHECK(length(\"\(column)\") <= \(length))"),
                            "\(table).\(column) \(length)")
                }
            }
            for (table, column) in Self.gone {
                #expect(SageSchema.table(table)?.column(column) == nil, "\(table).\(column)")
                let names = try Row.fetchAll(db, sql: "PRAGMA table_info(\(SchemaSQL.quoted(table)))").map { $0["name"] as String }
                #expect(!names.contains(column), "\(table).\(column)")
            }
        }
    }

    @Test func theStoreRefusesOneCharacterOverSagesLength() throws {
        let company = try makeCompany()
        let date = "2026-11-30"
        for (column, length) in [("Equipment_Type", 5), ("Batch", 10), ("Application_of_Origin", 3)] {
            let value = String(repeating: "X", count: length + 1)
            let batch = column == "Batch" ? value : "B1"
            let other = column == "Batch" ? "NULL" : "'\(value)'"
            let target = column == "Batch" ? "Description" : column
            do {
                try company.write { db in
                    try db.execute(sql: """
                        INSERT INTO \(Self.unposted) (Batch, Entry, Job, Extra, Transaction_Type, Accounting_Date, Transaction_Date, \(target))
                        VALUES (?, 1, 'J-1', '', 'JC cost', ?, ?, \(other))
                        """, arguments: [batch, date, date])
                }
                Issue.record("\(column) of \(length + 1) characters was stored")
            } catch {
                #expect(error.code == .fieldTooLong, "\(column)")
                #expect(error.message.contains("\(Self.unposted).\(column) longer than \(length)"), "\(error.message)")
            }
        }
    }

    @Test func transactionTypesAreSpelledAsSageDoes() {
        #expect(TransactionType.commitment == "Committed cost")
        #expect(TransactionType.commitmentChange == "Aprvd cmmtt cst chng")
        #expect(TransactionType.pendingScheduledValueChange(2) == "Pndng schd val chg 2")
        #expect(TransactionType.approvedScheduledValueChange == "Aprvd schdl val chng")
        let length = SageSchema.transaction.column("Transaction_Type")?.kind.length ?? 0
        for type in [TransactionType.commitment, TransactionType.commitmentChange, TransactionType.pendingScheduledValueChange(9)] {
            #expect(type.count <= length, "\(type)")
        }
    }

    @Test func theChangeOrderRuleAndLengthsComeFromTheSchema() throws {
        #expect(SageRules.changeOrderLength == SageSchema.changeOrder.column("Change_Order")?.kind.length)
        #expect(SageRules.changeOrderDescriptionLength == SageSchema.changeOrder.column("Description")?.kind.length)
        #expect(SageRules.contractStatuses.contains(SageRules.contractStatusTakingChangeOrders))
        // The store's trigger holds raw SQL to the same status: a Pending contract takes no change order.
        let company = try makeCompany()
        #expect(throws: TielineError.self) {
            try company.write { db in
                try db.execute(sql: "INSERT INTO CNC_ACTIVE__CHANGE_ORDER (Contract, Change_Order, Status, Change_Order_Date) VALUES ('J-2', '001', 'Approved', '2026-11-30')")
            }
        }
        try company.write { db in
            try db.execute(sql: "INSERT INTO CNC_ACTIVE__CHANGE_ORDER (Contract, Change_Order, Status, Change_Order_Date) VALUES ('J-1', '001', 'Approved', '2026-11-30')")
        }
    }

    @Test func theSampleCompanysJobsCarryTheirApprovedContractChanges() throws {
        let company = try SampleCompanyGenerator.create(at: temporaryPath("jtd.sqlite"),
            spec: SampleCompanySpec(jobs: 12, transactions: 200, seed: 5, withPJ: false, batchSize: 200))
        try company.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT Job, Original_Contract_Amount, Revised_Contract_Amount, JTD_Aprvd_Contract_Chgs FROM JCM_MASTER__JOB")
            #expect(rows.count == 12)
            for row in rows {
                let original: Int64 = row["Original_Contract_Amount"], revised: Int64 = row["Revised_Contract_Amount"]
                #expect(row["JTD_Aprvd_Contract_Chgs"] as Int64 == revised - original, "\(row["Job"] as String)")
            }
            // Some job did take approved change orders, so the column is not trivially zero.
            #expect(rows.contains { $0["JTD_Aprvd_Contract_Chgs"] as Int64 != 0 })
        }
    }
}
