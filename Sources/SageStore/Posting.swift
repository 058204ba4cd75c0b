import GRDB
import SageModel
import TielineCore

/// What one "Post Entries" moved and rolled up.
public struct PostingSummary: Sendable, Hashable, Codable {
    /// The JC run number the entries were posted under.
    public var run: Int64
    public var transactions: Int
    /// Total amount posted per transaction type.
    public var totals: [String: Money]
}

extension SageCompany {
    /// Sage's "Post Entries": moves a batch's unposted JC entries into JCT_CURRENT__TRANSACTION
    /// under a new run and rolls amounts up, in one transaction.
    ///
    /// Roll-ups: approved scheduled value changes raise the contract item's, the contract's and
    /// the job's revised amounts (or, without a contract item, the cost code's revised scheduled
    /// value for quick-bill jobs); estimate changes raise the category's approved or pending
    /// estimate changes; cost types raise the category's JTD cost.
    @discardableResult
    public func postEntries(batch: String) throws(TielineError) -> PostingSummary {
        try write { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM JCT_UNPOSTED__TRANSACTION WHERE Batch = ?", arguments: [batch]) ?? 0
            let run = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(Run), 0) + 1 FROM JCT_CURRENT__TRANSACTION") ?? 1
            guard count > 0 else { return PostingSummary(run: run, transactions: 0, totals: [:]) }
            try Self.checkReferences(db, batch: batch)

            let columns = SageSchema.transactionColumns.map { SchemaSQL.quoted($0.name) }.joined(separator: ", ")
            // A posted entry is the same record: it keeps its Row_ID and remembers its batch.
            try db.execute(sql: """
                INSERT INTO JCT_CURRENT__TRANSACTION(Run, Sequence, Batch, \(columns), Row_ID)
                SELECT ?, ROW_NUMBER() OVER (ORDER BY Entry), Batch, \(columns), Row_ID
                FROM JCT_UNPOSTED__TRANSACTION WHERE Batch = ? ORDER BY Entry
                """, arguments: [run, batch])

            let scheduled = TransactionType.approvedScheduledValueChange
            let batchRows = "SELECT * FROM JCT_UNPOSTED__TRANSACTION WHERE Batch = :batch"
            let args: StatementArguments = ["batch": batch, "scheduled": scheduled]
            // Revenue side: contract items, contracts, jobs.
            try db.execute(sql: """
                UPDATE CNC_ACTIVE__CONTRACT_ITEM AS ci SET Revised_Scheduled_Value = Revised_Scheduled_Value + t.total
                FROM (SELECT Contract, Item, SUM(Amount) AS total FROM (\(batchRows))
                      WHERE Transaction_Type = :scheduled AND Contract IS NOT NULL AND Item IS NOT NULL GROUP BY Contract, Item) AS t
                WHERE ci.Contract = t.Contract AND ci.Item = t.Item
                """, arguments: args)
            try db.execute(sql: """
                UPDATE CNC_ACTIVE__CONTRACT AS c SET Revised_Amount = Revised_Amount + t.total
                FROM (SELECT Contract, SUM(Amount) AS total FROM (\(batchRows))
                      WHERE Transaction_Type = :scheduled AND Contract IS NOT NULL GROUP BY Contract) AS t
                WHERE c.Contract = t.Contract
                """, arguments: args)
            try db.execute(sql: """
                UPDATE JCM_MASTER__JOB AS j SET Revised_Contract_Amount = Revised_Contract_Amount + t.total,
                    JTD_Aprvd_Contract_Chgs = JTD_Aprvd_Contract_Chgs + t.total
                FROM (SELECT Job, SUM(Amount) AS total FROM (\(batchRows)) WHERE Transaction_Type = :scheduled GROUP BY Job) AS t
                WHERE j.Job = t.Job
                """, arguments: args)
            // Quick-bill jobs have no contract item: the cost code carries the scheduled value.
            try db.execute(sql: """
                UPDATE JCM_MASTER__COST_CODE AS cc SET Revised_Scheduled_Value = Revised_Scheduled_Value + t.total
                FROM (SELECT Job, Extra, Cost_Code, SUM(Amount) AS total FROM (\(batchRows))
                      WHERE Transaction_Type = :scheduled AND Item IS NULL AND Cost_Code IS NOT NULL
                      GROUP BY Job, Extra, Cost_Code) AS t
                WHERE cc.Job = t.Job AND cc.Extra = t.Extra AND cc.Cost_Code = t.Cost_Code
                """, arguments: args)
            // Cost side: categories.
            let costTypes = TransactionType.costTypes.sorted()
            for (column, types) in [("Approved_Estimate_Changes", [TransactionType.approvedEstimateChange]),
                                    ("Pending_Estimate_Changes", [TransactionType.pendingEstimateChange]),
                                    ("JTD_Cost", costTypes)] {
                let placeholders = types.map { _ in "?" }.joined(separator: ", ")
                try db.execute(sql: """
                    UPDATE JCM_MASTER__CATEGORY AS cat SET \(column) = \(column) + t.total
                    FROM (SELECT Job, Extra, Cost_Code, Category, SUM(Amount) AS total
                          FROM JCT_UNPOSTED__TRANSACTION WHERE Batch = ? AND Transaction_Type IN (\(placeholders))
                          GROUP BY Job, Extra, Cost_Code, Category) AS t
                    WHERE cat.Job = t.Job AND cat.Extra = t.Extra AND cat.Cost_Code = t.Cost_Code AND cat.Category = t.Category
                    """, arguments: StatementArguments([batch] + types))
            }

            var totals: [String: Money] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT Transaction_Type, SUM(Amount) AS total FROM JCT_UNPOSTED__TRANSACTION WHERE Batch = ? GROUP BY Transaction_Type
                """, arguments: [batch]) {
                totals[row["Transaction_Type"]] = Money(cents: row["total"])
            }
            try db.execute(sql: "DELETE FROM JCT_UNPOSTED__TRANSACTION WHERE Batch = ?", arguments: [batch])
            return PostingSummary(run: run, transactions: count, totals: totals)
        }
    }

    /// Sage refuses to post entries coded to a job, cost code, category or contract item that does not exist.
    static func checkReferences(_ db: Database, batch: String) throws {
        let checks: [(String, String)] = [
            ("job", "NOT EXISTS (SELECT 1 FROM JCM_MASTER__JOB j WHERE j.Job = u.Job)"),
            ("cost code", "u.Cost_Code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM JCM_MASTER__COST_CODE c WHERE c.Job = u.Job AND c.Extra = u.Extra AND c.Cost_Code = u.Cost_Code)"),
            ("category", "u.Category IS NOT NULL AND NOT EXISTS (SELECT 1 FROM JCM_MASTER__CATEGORY c WHERE c.Job = u.Job AND c.Extra = u.Extra AND c.Cost_Code = u.Cost_Code AND c.Category = u.Category)"),
            ("contract item", "u.Item IS NOT NULL AND NOT EXISTS (SELECT 1 FROM CNC_ACTIVE__CONTRACT_ITEM i WHERE i.Contract = u.Contract AND i.Item = u.Item)"),
        ]
        for (what, condition) in checks {
            if let row = try Row.fetchOne(db, sql: """
                SELECT Entry, Job, Extra, Cost_Code, Category, Contract, Item FROM JCT_UNPOSTED__TRANSACTION u
                WHERE Batch = ? AND \(condition) ORDER BY Entry LIMIT 1
                """, arguments: [batch]) {
                let coding = ["Job", "Extra", "Cost_Code", "Category", "Contract", "Item"]
                    .compactMap { name -> String? in (row[name] as String?).flatMap { $0.isEmpty ? nil : "\(name) \($0)" } }
                    .joined(separator: ", ")
                throw TielineError(.postingFailed,
                    "cannot post batch \(batch): entry \(row["Entry"] as Int64) is coded to a \(what) that does not exist (\(coding)); nothing was posted")
            }
        }
    }
}
