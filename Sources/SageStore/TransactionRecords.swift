import GRDB
import SageModel
import TielineCore

/// The columns of one JC transaction, shared by posted history and the unposted batch.
public struct JCTransaction: Codable, Sendable, Hashable {
    public var job: String
    public var extra: String = ""
    public var costCode: String?
    public var category: String?
    /// One of `TransactionType`'s spellings, e.g. `Aprvd schdl val chng`.
    public var transactionType: String
    public var accountingDate: CalendarDate
    public var transactionDate: CalendarDate
    public var description: String?
    public var amount: Money
    public var units: String?
    public var vendor: String?
    public var invoice: String?
    public var commitment: String?
    public var commitmentCO: String?
    public var employee: String?
    public var equipment: String?
    public var equipmentType: String?
    public var creditAccount: String?
    public var debitAccount: String?
    public var payID: String?
    public var ref1: String?
    public var ref2: String?
    public var customer: String?
    public var contract: String?
    public var item: String?
    public var changeOrder: String?
    public var draw: String?
    public var chgMgmtRef1: String?
    public var chgMgmtRef2: String?

    public init(job: String, extra: String = "", costCode: String? = nil, category: String? = nil,
                transactionType: String, accountingDate: CalendarDate, transactionDate: CalendarDate? = nil,
                description: String? = nil, amount: Money) {
        self.job = job
        self.extra = extra
        self.costCode = costCode
        self.category = category
        self.transactionType = transactionType
        self.accountingDate = accountingDate
        self.transactionDate = transactionDate ?? accountingDate
        self.description = description
        self.amount = amount
    }

    enum CodingKeys: String, CodingKey {
        case job = "Job", extra = "Extra", costCode = "Cost_Code", category = "Category"
        case transactionType = "Transaction_Type", accountingDate = "Accounting_Date", transactionDate = "Transaction_Date"
        case description = "Description", amount = "Amount", units = "Units", vendor = "Vendor", invoice = "Invoice"
        case commitment = "Commitment", commitmentCO = "Commitment_CO", employee = "Employee"
        case equipment = "Equipment", equipmentType = "Equipment_Type"
        case creditAccount = "Credit_Account", debitAccount = "Debit_Account", payID = "Pay_ID"
        case ref1 = "Ref_1", ref2 = "Ref_2", customer = "Customer", contract = "Contract", item = "Item"
        case changeOrder = "Change_Order", draw = "Draw", chgMgmtRef1 = "Chg_Mgmt_Ref_1", chgMgmtRef2 = "Chg_Mgmt_Ref_2"
    }
}

/// An entry in an unposted JC batch (Sage's new.jct): written by exports, moved to history by Post Entries.
public struct UnpostedTransaction: SageRecord, Hashable {
    public static let sageTable = SageSchema.unpostedTransaction
    public var batch: String
    public var entry: Int64
    public var transaction: JCTransaction

    public init(batch: String, entry: Int64, transaction: JCTransaction) {
        self.batch = batch
        self.entry = entry
        self.transaction = transaction
    }

    enum CodingKeys: String, CodingKey { case batch = "Batch", entry = "Entry" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        batch = try container.decode(String.self, forKey: .batch)
        entry = try container.decode(Int64.self, forKey: .entry)
        transaction = try JCTransaction(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(batch, forKey: .batch)
        try container.encode(entry, forKey: .entry)
        try transaction.encode(to: encoder)
    }

    /// The next free entry number in `batch`.
    public static func nextEntry(_ db: Database, batch: String) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(Entry), 0) + 1 FROM JCT_UNPOSTED__TRANSACTION WHERE Batch = ?"),
                           arguments: [batch]) ?? 1
    }
}

/// A posted JC transaction (Transaction (JC)): immutable once posted.
public struct PostedTransaction: SageRecord, Hashable {
    public static let sageTable = SageSchema.transaction
    public var run: Int64
    public var sequence: Int64
    public var transaction: JCTransaction

    public init(run: Int64, sequence: Int64, transaction: JCTransaction) {
        self.run = run
        self.sequence = sequence
        self.transaction = transaction
    }

    enum CodingKeys: String, CodingKey { case run = "Run", sequence = "Sequence" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        run = try container.decode(Int64.self, forKey: .run)
        sequence = try container.decode(Int64.self, forKey: .sequence)
        transaction = try JCTransaction(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(run, forKey: .run)
        try container.encode(sequence, forKey: .sequence)
        try transaction.encode(to: encoder)
    }
}
