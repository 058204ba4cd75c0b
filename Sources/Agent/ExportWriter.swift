import GRDB
import SageStore
import SageModel
import SyncCore
import TielineCore

/// Writes an accepted PCCO into Sage: the CN change order and its items and the JC batch
/// transactions, in ONE Sage transaction, keyed by the Procore PCCO id so it happens once.
public struct ExportWriter: Sendable {
    /// The unposted JC batch exports write into (Sage's new.jct); Post Entries posts it.
    public static let batch = "PROCORE"

    public let company: SageCompany

    public init(company: SageCompany) { self.company = company }

    /// Validates against Sage and writes, or reports what was already written for this PCCO.
    ///
    /// A change order with the same number but another origin is a conflict: nothing is
    /// overwritten and the error says so.
    public func write(_ export: ChangeOrderExport, transactionDate: CalendarDate) throws(TielineError) -> SageWriteResult {
        try company.write { db in try Self.write(export, transactionDate: transactionDate, in: db) }
    }

    /// Writes several exports in one Sage transaction, each inside its own savepoint: one export's
    /// refusal rolls back only its own records, and the whole batch costs one commit.
    public func write(_ exports: [(export: ChangeOrderExport, transactionDate: CalendarDate)]) throws(TielineError) -> [Result<SageWriteResult, TielineError>] {
        try company.write { db in
            var results: [Result<SageWriteResult, TielineError>] = []
            for item in exports {
                var outcome: Result<SageWriteResult, TielineError> = .failure(TielineError(.exportInvalid, "not written"))
                try db.inSavepoint {
                    do {
                        outcome = .success(try Self.write(item.export, transactionDate: item.transactionDate, in: db))
                        return .commit
                    } catch let error as TielineError {
                        outcome = .failure(error)
                    } catch let error as DatabaseError {
                        outcome = .failure(SageCompany.translate(error))
                    }
                    return .rollback
                }
                results.append(outcome)
            }
            return results
        }
    }

    /// The write itself, inside the caller's transaction: the export's plan, every step inserted.
    static func write(_ export: ChangeOrderExport, transactionDate: CalendarDate, in db: Database) throws -> SageWriteResult {
        let reference = procoreReference(pccoID: export.pccoID)
        if let existing = try Self.alreadyWritten(db, export: export, reference: reference) { return existing }
        let plan = try ExportPlan.make(export, transactionDate: transactionDate, lookup: SageLookup(db: db))
        var entries: [Int64] = []
        for step in plan.steps {
            if let entry = try EmbeddedExportTarget.apply(step, in: db) { entries.append(entry) }
        }
        return SageWriteResult(contract: plan.contract, changeOrder: plan.changeOrder, items: plan.items, batch: Self.batch,
                               entries: entries, total: plan.total, alreadyWritten: false, rowIDs: try rowIDs(db, reference: reference, posted: false))
    }

    /// The Row_IDs of the change order, its items and its estimate changes, written under `reference`.
    /// `posted: false` (just written) looks only in the unposted batch, not through all of JC history.
    static func rowIDs(_ db: Database, reference: String, posted: Bool = true) throws -> SageRowIDs? {
        guard let header = try Row.fetchOne(db.cachedStatement(sql: "SELECT Contract, Change_Order, Row_ID FROM CNC_ACTIVE__CHANGE_ORDER WHERE Chg_Mgmt_Ref_1 = ?"),
                                            arguments: [reference]) else { return nil }
        let items = try Row.fetchAll(db.cachedStatement(sql: "SELECT Item, Row_ID FROM CNC_ACTIVE__CHANGE_ORDER_ITEM WHERE Contract = ? AND Change_Order = ?"),
                                     arguments: [header["Contract"] as String, header["Change_Order"] as String])
        // Unposted or already posted, an estimate change keeps its Row_ID.
        let unposted = "SELECT Cost_Code, Category, Row_ID FROM JCT_UNPOSTED__TRANSACTION WHERE Chg_Mgmt_Ref_1 = :ref AND Transaction_Type = :type"
        let history = " UNION ALL SELECT Cost_Code, Category, Row_ID FROM JCT_CURRENT__TRANSACTION WHERE Chg_Mgmt_Ref_1 = :ref AND Transaction_Type = :type"
        let estimates = try Row.fetchAll(db.cachedStatement(sql: unposted + (posted ? history : "")),
                                         arguments: ["ref": reference, "type": TransactionType.approvedEstimateChange])
        return SageRowIDs(changeOrder: header["Row_ID"],
                          items: Dictionary(items.map { ($0["Item"], $0["Row_ID"]) }, uniquingKeysWith: { a, _ in a }),
                          estimates: Dictionary(estimates.map { ("\($0["Cost_Code"] as String? ?? "")|\($0["Category"] as String? ?? "")", $0["Row_ID"]) },
                                                uniquingKeysWith: { a, _ in a }))
    }

    /// What Sage already holds for this PCCO, found by its reference, if it was written before.
    static func alreadyWritten(_ db: Database, export: ChangeOrderExport, reference: String) throws -> SageWriteResult? {
        // `SELECT *` stays uncached: a statement kept across a schema change made by another process could keep
        // its old column list.
        guard let header = try ChangeOrder.fetchOne(db, sql: "SELECT * FROM CNC_ACTIVE__CHANGE_ORDER WHERE Chg_Mgmt_Ref_1 = ?",
                                                    arguments: [reference]) else { return nil }
        let items = try ChangeOrderItem.fetchAll(db, sql: "SELECT * FROM CNC_ACTIVE__CHANGE_ORDER_ITEM WHERE Contract = ? AND Change_Order = ?",
                                                 arguments: [header.contract, header.changeOrder])
        let entries = try Int64.fetchAll(db.cachedStatement(sql: "SELECT Entry FROM JCT_UNPOSTED__TRANSACTION WHERE Chg_Mgmt_Ref_1 = ? ORDER BY Entry"),
                                         arguments: [reference])
        return SageWriteResult(contract: header.contract, changeOrder: header.changeOrder,
                               items: Dictionary(items.map { ($0.item, $0.amount) }, uniquingKeysWith: +),
                               batch: batch, entries: entries, total: header.amount, alreadyWritten: true,
                               rowIDs: try rowIDs(db, reference: reference))
    }
}

extension TielineError.Code {
    public static let exportInvalid = Self("export_invalid")
    public static let changeOrderConflict = Self("change_order_conflict")
}
