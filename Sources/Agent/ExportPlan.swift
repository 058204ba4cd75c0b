import SageModel
import SageStore
import SyncCore
import TielineCore

/// One write an export makes into Sage, found again by its natural key (never by a counter), so
/// repeating it after a crash can tell "already there" from "still to do".
public enum ExportStep: Sendable, Hashable, Codable {
    /// The CN change order header; key: contract + change order number (its reference says whose it is).
    case changeOrder(ChangeOrder)
    /// One contract item's change; key: contract + change order + item.
    case changeOrderItem(ChangeOrderItem)
    /// One JC entry for the unposted batch; key: the export's reference + transaction type + item or cost code / category.
    case jcEntry(JCTransaction)

    /// A stable, readable name for logs, failpoints and the agent's plan record.
    public var key: String {
        switch self {
        case .changeOrder(let header): "change order \(header.changeOrder)"
        case .changeOrderItem(let item): "item \(item.item)"
        case .jcEntry(let t) where t.transactionType == TransactionType.approvedScheduledValueChange: "schedule value change \(t.item ?? "")"
        case .jcEntry(let t): "estimate change \(t.costCode ?? "")|\(t.category ?? "")"
        }
    }

    /// The amount the step writes, compared with what Sage reads back.
    public var amount: Money {
        switch self {
        case .changeOrder(let header): header.amount
        case .changeOrderItem(let item): item.amount
        case .jcEntry(let t): t.amount
        }
    }
}

/// An export as the ordered steps that write it, planned once from Sage before the first write.
///
/// The one-transaction writer and the step writer both execute a plan, so money is computed in
/// one place whichever way Sage is written.
public struct ExportPlan: Sendable, Hashable, Codable {
    /// `procore:pcco:<id>`, kept in Chg_Mgmt_Ref_1 of everything written.
    public var reference: String
    public var contract: String
    public var changeOrder: String
    public var total: Money
    /// The revenue change per contract item.
    public var items: [String: Money]
    public var steps: [ExportStep]

    /// Validates the export against Sage and plans its writes; throws with every problem named.
    ///
    /// Money as Procore documents it (ERP Events Dictionary, create_prime_contract_change_order): a
    /// line's `amount` already includes its markups. Revenue per contract item is the sum of its
    /// lines' `amount`; cost is each line's `extendedAmount` on its own cost code / category plus
    /// each markup on its destination. Nothing is counted twice; duplicate lines are summed.
    public static func make(_ export: ChangeOrderExport, transactionDate: CalendarDate, lookup: some SageExportLookup) throws -> ExportPlan {
        let problems = try ExportValidator.problems(export, lookup: lookup)
        guard problems.isEmpty else {
            let code: TielineError.Code = problems.contains { $0.message.contains("already exists on contract") } ? .changeOrderConflict : .exportInvalid
            throw TielineError(code, problems.map(\.message).joined(separator: "; "))
        }
        let reference = procoreReference(pccoID: export.pccoID)
        var itemAmounts: [String: Money] = [:]
        var estimateChanges: [String: (costCode: String, category: String, amount: Money)] = [:]
        for line in export.lines {
            itemAmounts[line.contractItem, default: .zero] += line.amount
            estimateChanges["\(line.costCode)|\(line.category)", default: (line.costCode, line.category, .zero)].amount += line.extendedAmount
            for markup in line.markups {
                estimateChanges["\(markup.costCode)|\(markup.category)", default: (markup.costCode, markup.category, .zero)].amount += markup.amount
            }
        }
        let total = itemAmounts.values.sum()
        // The text Sage stores is the composed form validation measured (SageText's one rule).
        let number = SageText.normalized(export.number)
        let title = SageText.normalized(export.title)
        let customer = try lookup.customer(contract: export.contract)

        var steps: [ExportStep] = [.changeOrder(ChangeOrder(contract: export.contract, changeOrder: number, description: title, status: "Approved",
                                                            date: transactionDate, amount: total, chgMgmtRef1: reference))]
        var entries: [ExportStep] = []
        for item in itemAmounts.keys.sorted() {
            steps.append(.changeOrderItem(ChangeOrderItem(contract: export.contract, changeOrder: number, item: item, description: title,
                                                          amount: itemAmounts[item]!)))
            let coding = try lookup.itemCoding(contract: export.contract, item: item)
            var t = JCTransaction(job: export.job, extra: coding.extra, costCode: coding.costCode, category: nil,
                                  transactionType: TransactionType.approvedScheduledValueChange, accountingDate: transactionDate,
                                  description: title, amount: itemAmounts[item]!)
            t.contract = export.contract
            t.item = item
            t.changeOrder = number
            t.customer = customer
            t.chgMgmtRef1 = reference
            entries.append(.jcEntry(t))
        }
        for key in estimateChanges.keys.sorted() {
            let change = estimateChanges[key]!
            var t = JCTransaction(job: export.job, extra: try lookup.extra(job: export.job, costCode: change.costCode, category: change.category),
                                  costCode: change.costCode, category: change.category,
                                  transactionType: TransactionType.approvedEstimateChange, accountingDate: transactionDate,
                                  description: title, amount: change.amount)
            t.changeOrder = number
            t.chgMgmtRef1 = reference
            entries.append(.jcEntry(t))
        }
        return ExportPlan(reference: reference, contract: export.contract, changeOrder: number, total: total,
                          items: itemAmounts, steps: steps + entries)
    }
}

/// What planning reads from Sage beyond validation's questions.
public protocol SageExportLookup: ERPLookup {
    /// The contract's customer (carried on its schedule-value JC entries).
    func customer(contract: String) throws -> String?
    /// The Extra and Cost_Code a contract item bills to.
    func itemCoding(contract: String, item: String) throws -> (extra: String, costCode: String?)
    /// The extra a job's cost code lives under; PCCOs don't know extras, so the job's first match is used.
    func extra(job: String, costCode: String, category: String) throws -> String
}

/// A step as Sage holds it, read back by its natural key.
public struct WrittenStep: Sendable, Hashable {
    public var rowID: String
    public var amount: Money
    /// The Chg_Mgmt_Ref_1 it carries (a change order number taken by someone else shows here).
    public var reference: String?
    /// The JC entry's number in the unposted batch; nil once posted, or for CN records.
    public var entry: Int64?

    public init(rowID: String, amount: Money, reference: String?, entry: Int64? = nil) {
        self.rowID = rowID
        self.amount = amount
        self.reference = reference
        self.entry = entry
    }
}

/// A path into Sage that writes exports one step at a time: the agent's write boundary.
///
/// Nothing here assumes one transaction across steps: Sage's import programs, its Web API and
/// vendor connectors are, as integrators describe them, not one transaction. The embedded store is one implementation.
public protocol SageExportTarget: Sendable {
    /// Runs validation and planning reads against Sage.
    func withLookup<T>(_ body: (any SageExportLookup) throws -> T) throws(TielineError) -> T
    /// The step as Sage holds it now, or nil when it has not been written.
    func find(_ step: ExportStep, reference: String) throws(TielineError) -> WrittenStep?
    /// Writes one step; it is committed when this returns.
    func write(_ step: ExportStep, reference: String) throws(TielineError)
}
