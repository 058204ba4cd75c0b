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
    ///
    /// Money reads as Procore's ERP Events Dictionary shows it (create_prime_contract_change_order,
    /// line 593: extended_amount 299.0 + markup 44.85 = amount 343.85): `amount` already INCLUDES
    /// the line's markups, `extendedAmount` is the line before them.
    public struct Line: Sendable, Hashable, Codable {
        public var procoreID: Int
        /// Procore's `position` of the line on the PCCO (1-based), or its place in the payload.
        public var position: Int
        public var description: String
        /// The line with its markups: the revenue change on the contract item.
        public var amount: Money
        /// The line before markups: the estimate change on the line's own cost code / category.
        public var extendedAmount: Money
        /// Shown to the approver, never written into Sage.
        public var taxAmount: Money?
        /// The Sage contract item (Procore's `prime_line_item_origin_code`).
        public var contractItem: String
        /// The Sage cost code (Procore cost code `full_code`).
        public var costCode: String
        /// The Sage category (Procore line item type `code`).
        public var category: String
        public var markups: [Markup]

        /// A line; `extendedAmount` defaults to `amount` less the markups (the documented relation).
        public init(procoreID: Int, position: Int = 0, description: String, amount: Money, extendedAmount: Money? = nil,
                    taxAmount: Money? = nil, contractItem: String, costCode: String, category: String, markups: [Markup] = []) {
            self.procoreID = procoreID
            self.position = position
            self.description = description
            self.amount = amount
            self.extendedAmount = extendedAmount ?? amount - markups.map(\.amount).sum()
            self.taxAmount = taxAmount
            self.contractItem = contractItem
            self.costCode = costCode
            self.category = category
            self.markups = markups
        }

        /// How Procore names this line to a person: `line 3 (id 99003, Counterflashing)`.
        public var label: String { Self.label(position: position, id: procoreID, description: description) }

        /// A line's name from what is known of it (a payload whose id cannot be read still names position and description).
        public static func label(position: Int, id: Int?, description: String) -> String {
            let text = description.trimmingWhitespace().clipped(40)
            let parts = [id.map { "id \($0)" }, text.isEmpty ? nil : text].compactMap { $0 }
            return "line \(position)" + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))")
        }

        /// The markups' sum on this line.
        public var markupTotal: Money { markups.map(\.amount).sum() }

        enum CodingKeys: String, CodingKey {
            case procoreID, position, description, amount, extendedAmount, taxAmount, contractItem, costCode, category, markups
        }

        // Records queued before extendedAmount existed decode with the documented relation.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let markups = try c.decode([Markup].self, forKey: .markups)
            let amount = try c.decode(Money.self, forKey: .amount)
            self.init(procoreID: try c.decode(Int.self, forKey: .procoreID),
                      position: try c.decodeIfPresent(Int.self, forKey: .position) ?? 0,
                      description: try c.decode(String.self, forKey: .description), amount: amount,
                      extendedAmount: try c.decodeIfPresent(Money.self, forKey: .extendedAmount),
                      taxAmount: try c.decodeIfPresent(Money.self, forKey: .taxAmount),
                      contractItem: try c.decode(String.self, forKey: .contractItem), costCode: try c.decode(String.self, forKey: .costCode),
                      category: try c.decode(String.self, forKey: .category), markups: markups)
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
        self.lines = Self.positioned(lines)
    }

    /// Lines without Procore's `position` take their place on the PCCO (1-based).
    static func positioned(_ lines: [Line]) -> [Line] {
        lines.enumerated().map { index, line in
            var line = line
            if line.position <= 0 { line.position = index + 1 }
            return line
        }
    }

    enum CodingKeys: String, CodingKey {
        case intake, procoreCompanyID, procoreProjectID, projectName, job, procoreContractID, contract, pccoID, number, title,
             details, status, transactionDate, lines
    }

    // Spelled out only so lines queued before `position` existed get theirs.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(intake: try c.decode(Intake.self, forKey: .intake),
                  procoreCompanyID: try c.decodeIfPresent(Int.self, forKey: .procoreCompanyID),
                  procoreProjectID: try c.decode(Int.self, forKey: .procoreProjectID),
                  projectName: try c.decode(String.self, forKey: .projectName), job: try c.decode(String.self, forKey: .job),
                  procoreContractID: try c.decode(Int.self, forKey: .procoreContractID),
                  contract: try c.decode(String.self, forKey: .contract), pccoID: try c.decode(Int.self, forKey: .pccoID),
                  number: try c.decode(String.self, forKey: .number), title: try c.decode(String.self, forKey: .title),
                  details: try c.decodeIfPresent(String.self, forKey: .details), status: try c.decode(String.self, forKey: .status),
                  transactionDate: try c.decodeIfPresent(CalendarDate.self, forKey: .transactionDate),
                  lines: try c.decode([Line].self, forKey: .lines))
    }

    /// The PCCO's total: the sum of its lines' `amount`, which already include their markups.
    public var total: Money { lines.map(\.amount).sum() }
}
