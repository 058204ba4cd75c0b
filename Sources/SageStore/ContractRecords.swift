import GRDB
import SageModel
import TielineCore

/// A CN contract (Contract (CN)). Only an Approved contract takes change orders.
public struct Contract: SageRecord, Hashable {
    public static let sageTable = SageSchema.contract
    public var contract: String
    public var job: String
    public var customer: String
    public var description: String?
    /// `Pending`, `Approved` or `Closed`.
    public var status: String
    public var contractDate: CalendarDate?
    public var originalAmount: Money
    public var revisedAmount: Money

    public init(contract: String, job: String, customer: String, description: String?, status: String = "Approved",
                contractDate: CalendarDate? = nil, originalAmount: Money = .zero, revisedAmount: Money? = nil) {
        self.contract = contract
        self.job = job
        self.customer = customer
        self.description = description
        self.status = status
        self.contractDate = contractDate
        self.originalAmount = originalAmount
        self.revisedAmount = revisedAmount ?? originalAmount
    }

    enum CodingKeys: String, CodingKey {
        case contract = "Contract", job = "Job", customer = "Customer", description = "Description"
        case status = "Status", contractDate = "Contract_Date"
        case originalAmount = "Original_Amount", revisedAmount = "Revised_Amount"
    }
}

/// A contract item (Contract Item (CN)), tied to a job cost code.
public struct ContractItem: SageRecord, Hashable {
    public static let sageTable = SageSchema.contractItem
    public var contract: String
    public var item: String
    public var description: String?
    public var job: String
    public var extra: String
    public var costCode: String
    public var category: String?
    public var originalScheduledValue: Money
    public var revisedScheduledValue: Money

    public init(contract: String, item: String, description: String?, job: String, extra: String = "",
                costCode: String, category: String? = nil, originalScheduledValue: Money = .zero,
                revisedScheduledValue: Money? = nil) {
        self.contract = contract
        self.item = item
        self.description = description
        self.job = job
        self.extra = extra
        self.costCode = costCode
        self.category = category
        self.originalScheduledValue = originalScheduledValue
        self.revisedScheduledValue = revisedScheduledValue ?? originalScheduledValue
    }

    enum CodingKeys: String, CodingKey {
        case contract = "Contract", item = "Item", description = "Description", job = "Job", extra = "Extra"
        case costCode = "Cost_Code", category = "Category"
        case originalScheduledValue = "Original_Scheduled_Value", revisedScheduledValue = "Revised_Scheduled_Value"
    }
}

/// A contract change order (Contract Change Order (CN)).
///
/// Inserting one checks Sage's rules first: the contract exists and is Approved, and the
/// change order number is not already used on that contract.
public struct ChangeOrder: SageRecord, Hashable {
    public static let sageTable = SageSchema.changeOrder
    public var contract: String
    public var changeOrder: String
    public var description: String?
    /// `Pending` or `Approved`.
    public var status: String
    public var date: CalendarDate
    public var amount: Money
    /// Tieline keeps the Procore PCCO id here: the export's idempotency key.
    public var chgMgmtRef1: String?
    public var chgMgmtRef2: String?

    public init(contract: String, changeOrder: String, description: String?, status: String = "Approved",
                date: CalendarDate, amount: Money, chgMgmtRef1: String? = nil, chgMgmtRef2: String? = nil) {
        self.contract = contract
        self.changeOrder = changeOrder
        self.description = description
        self.status = status
        self.date = date
        self.amount = amount
        self.chgMgmtRef1 = chgMgmtRef1
        self.chgMgmtRef2 = chgMgmtRef2
    }

    enum CodingKeys: String, CodingKey {
        case contract = "Contract", changeOrder = "Change_Order", description = "Description", status = "Status"
        case date = "Change_Order_Date", amount = "Amount", chgMgmtRef1 = "Chg_Mgmt_Ref_1", chgMgmtRef2 = "Chg_Mgmt_Ref_2"
    }

    public func willInsert(_ db: Database) throws {
        guard let status = try String.fetchOne(db.cachedStatement(sql: "SELECT Status FROM CNC_ACTIVE__CONTRACT WHERE Contract = ?"), arguments: [contract]) else {
            throw TielineError(.notFound, "contract \(contract) does not exist")
        }
        guard status == SageRules.contractStatusTakingChangeOrders else {
            throw TielineError(.contractNotApproved,
                "contract \(contract) is \(status); a contract must be \(SageRules.contractStatusTakingChangeOrders) before it takes change orders")
        }
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM CNC_ACTIVE__CHANGE_ORDER WHERE Contract = ? AND Change_Order = ?"),
                             arguments: [contract, changeOrder]) == true {
            throw TielineError(.duplicateKey, "change order \(changeOrder) already exists on contract \(contract)")
        }
    }
}

/// One contract item's change within a change order (Contract Change Order Item (CN)).
public struct ChangeOrderItem: SageRecord, Hashable {
    public static let sageTable = SageSchema.changeOrderItem
    public var contract: String
    public var changeOrder: String
    public var item: String
    public var description: String?
    public var amount: Money

    public init(contract: String, changeOrder: String, item: String, description: String?, amount: Money) {
        self.contract = contract
        self.changeOrder = changeOrder
        self.item = item
        self.description = description
        self.amount = amount
    }

    enum CodingKeys: String, CodingKey {
        case contract = "Contract", changeOrder = "Change_Order", item = "Item", description = "Description", amount = "Amount"
    }
}
