/// The internal request to export one approved Prime Contract Change Order (PCCO) into Sage.
///
/// Both of Procore's integration styles (ERP requests and the public API) produce this value,
/// so validation and the writer never care where a PCCO came from. Sage identifiers are the
/// Procore objects' ERP origin codes: the project's is the Job, the prime contract's is the
/// Contract, a prime line item's is the contract Item, a cost code's full code is the
/// Cost_Code and a line item type's code is the Category.
public struct ChangeOrderExport: Sendable, Hashable, Codable {
    /// How the PCCO reached Tieline, which decides how the result is written back to Procore.
    public enum Intake: Sendable, Hashable, Codable {
        /// Procore's ERP platform: close `requestDetailID` and sync origin ids back.
        case erpRequest(requestDetailID: Int)
        /// The public REST API: PATCH origin_id / origin_code on the PCCO.
        case publicAPI
    }

    /// One PCCO line: a change to one contract item, with its cost-side coding.
    public struct Line: Sendable, Hashable, Codable {
        public var procoreID: Int
        public var description: String
        public var amount: Money
        /// The Sage contract item (Procore's `prime_line_item_origin_code`).
        public var contractItem: String
        /// The Sage cost code (Procore cost code `full_code`).
        public var costCode: String
        /// The Sage category (Procore line item type `code`).
        public var category: String
        public var markups: [Markup]

        public init(procoreID: Int, description: String, amount: Money, contractItem: String,
                    costCode: String, category: String, markups: [Markup] = []) {
            self.procoreID = procoreID
            self.description = description
            self.amount = amount
            self.contractItem = contractItem
            self.costCode = costCode
            self.category = category
            self.markups = markups
        }
    }

    /// A markup on a line, booked as an estimate change on its destination cost code and category.
    public struct Markup: Sendable, Hashable, Codable {
        public var procoreID: Int
        public var name: String
        public var amount: Money
        public var costCode: String
        public var category: String

        public init(procoreID: Int, name: String, amount: Money, costCode: String, category: String) {
            self.procoreID = procoreID
            self.name = name
            self.amount = amount
            self.costCode = costCode
            self.category = category
        }
    }

    public var intake: Intake
    public var procoreCompanyID: Int?
    public var procoreProjectID: Int
    public var projectName: String
    /// The Sage job the Procore project is linked to.
    public var job: String
    public var procoreContractID: Int
    /// The Sage CN contract the prime contract is linked to.
    public var contract: String
    /// Procore's PCCO id: the idempotency key written to Chg_Mgmt_Ref_1.
    public var pccoID: Int
    /// The PCCO number, written as Sage's Change_Order (5 characters).
    public var number: String
    /// The PCCO title, written as Sage's Description (30 characters).
    public var title: String
    public var details: String?
    public var status: String
    /// The accounting approver's transaction date, when already known.
    public var transactionDate: CalendarDate?
    public var lines: [Line]

    public init(intake: Intake, procoreCompanyID: Int? = nil, procoreProjectID: Int, projectName: String,
                job: String, procoreContractID: Int, contract: String, pccoID: Int, number: String,
                title: String, details: String? = nil, status: String, transactionDate: CalendarDate? = nil,
                lines: [Line]) {
        self.intake = intake
        self.procoreCompanyID = procoreCompanyID
        self.procoreProjectID = procoreProjectID
        self.projectName = projectName
        self.job = job
        self.procoreContractID = procoreContractID
        self.contract = contract
        self.pccoID = pccoID
        self.number = number
        self.title = title
        self.details = details
        self.status = status
        self.transactionDate = transactionDate
        self.lines = lines
    }

    /// The PCCO's total: every line amount plus every markup.
    public var total: Money {
        lines.map { $0.amount + $0.markups.map(\.amount).sum() }.sum()
    }
}
