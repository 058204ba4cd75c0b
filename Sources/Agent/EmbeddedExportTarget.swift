import GRDB
import SageModel
import SageStore
import SyncCore
import TielineCore

/// The embedded company store as a step-at-a-time write path: every step is its own SQLite
/// transaction, as a non-transactional Sage write path would commit it.
///
/// `ExportWriter` uses the same `find` / `apply` inside ONE transaction instead; this type is the
/// store mode the step writer's crash tests run against.
public struct EmbeddedExportTarget: SageExportTarget {
    public let company: SageCompany

    public init(company: SageCompany) { self.company = company }

    public func withLookup<T>(_ body: (any SageExportLookup) throws -> T) throws(TielineError) -> T {
        try company.read { db in try body(SageLookup(db: db)) }
    }

    public func find(_ step: ExportStep, reference: String) throws(TielineError) -> WrittenStep? {
        try company.read { db in try Self.find(step, reference: reference, in: db) }
    }

    public func write(_ step: ExportStep, reference: String) throws(TielineError) {
        _ = try company.write { db in try Self.apply(step, in: db) }
    }

    /// Looks a step up by its natural key; JC entries are looked for in the unposted batch and,
    /// should Post Entries have run since, in history.
    static func find(_ step: ExportStep, reference: String, in db: Database) throws -> WrittenStep? {
        switch step {
        case .changeOrder(let header):
            return try Row.fetchOne(db.cachedStatement(sql: "SELECT Row_ID, Amount, Chg_Mgmt_Ref_1 FROM CNC_ACTIVE__CHANGE_ORDER WHERE Contract = ? AND Change_Order = ?"),
                                    arguments: [header.contract, header.changeOrder])
                .map { WrittenStep(rowID: $0["Row_ID"], amount: $0["Amount"], reference: $0["Chg_Mgmt_Ref_1"]) }
        case .changeOrderItem(let item):
            return try Row.fetchOne(db.cachedStatement(sql: "SELECT Row_ID, Amount FROM CNC_ACTIVE__CHANGE_ORDER_ITEM WHERE Contract = ? AND Change_Order = ? AND Item = ?"),
                                    arguments: [item.contract, item.changeOrder, item.item])
                .map { WrittenStep(rowID: $0["Row_ID"], amount: $0["Amount"], reference: reference) }
        case .jcEntry(let t):
            let match = """
                Chg_Mgmt_Ref_1 = :ref AND Transaction_Type = :type AND COALESCE(Item, '') = :item
                  AND COALESCE(Cost_Code, '') = :costCode AND COALESCE(Category, '') = :category
                """
            let arguments: StatementArguments = ["ref": reference, "type": t.transactionType, "item": t.item ?? "",
                                                 "costCode": t.costCode ?? "", "category": t.category ?? ""]
            if let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT Row_ID, Amount, Entry FROM JCT_UNPOSTED__TRANSACTION WHERE \(match)"), arguments: arguments) {
                return WrittenStep(rowID: row["Row_ID"], amount: row["Amount"], reference: reference, entry: row["Entry"])
            }
            return try Row.fetchOne(db.cachedStatement(sql: "SELECT Row_ID, Amount FROM JCT_CURRENT__TRANSACTION WHERE \(match)"), arguments: arguments)
                .map { WrittenStep(rowID: $0["Row_ID"], amount: $0["Amount"], reference: reference) }
        }
    }

    /// Inserts one step inside the caller's transaction (Sage's record rules run on insert);
    /// returns a JC entry's number in the batch.
    @discardableResult
    static func apply(_ step: ExportStep, in db: Database) throws -> Int64? {
        switch step {
        case .changeOrder(let header):
            try header.insert(db)
            return nil
        case .changeOrderItem(let item):
            try item.insert(db)
            return nil
        case .jcEntry(let t):
            let entry = try UnpostedTransaction.nextEntry(db, batch: ExportWriter.batch)
            try UnpostedTransaction(batch: ExportWriter.batch, entry: entry, transaction: t).insert(db)
            return entry
        }
    }
}
