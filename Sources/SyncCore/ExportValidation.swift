import SageModel
import TielineCore

/// What validation needs to know about the ERP: answered by the hub's mirror or by Sage itself.
public protocol ERPLookup {
    /// Whether the Sage job exists.
    func jobExists(_ job: String) throws -> Bool
    /// The contract's job and status, if it exists.
    func contract(_ contract: String) throws -> (job: String, status: String)?
    /// Whether the contract item exists on the contract.
    func contractItemExists(contract: String, item: String) throws -> Bool
    /// Whether the job has the cost code with the category.
    func categoryExists(job: String, costCode: String, category: String) throws -> Bool
    /// The change-management reference of the contract's change order with that number, if one
    /// exists (`.some(nil)`: it exists but was not written by Tieline).
    func changeOrderReference(contract: String, number: String) throws -> String??
    /// True for the hub's mirror, which holds only what was synced: a record it did not find is "not in the
    /// mirror", never "does not exist in Sage" (only Sage itself can say that).
    var isMirror: Bool { get }
}

extension ERPLookup {
    public var isMirror: Bool { false }
}

/// One reason an export cannot be accepted, naming the line and field.
public struct ValidationProblem: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Whether the problem is a fact about the PCCO, or a record the ERP data consulted did not have.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Wrong whatever Sage holds: a length, a status, a number already used.
        case invalid
        /// A job, contract, item or cost code the lookup did not find: only Sage itself can say it is missing.
        case missing
    }

    /// Procore's position of the line on the PCCO, nil for header fields.
    public var line: Int?
    /// The field at fault, e.g. `number`, `lines[2].contractItem`.
    public var field: String
    public var message: String
    public var kind: Kind

    public init(line: Int?, field: String, message: String, kind: Kind = .invalid) {
        self.line = line
        self.field = field
        self.message = message
        self.kind = kind
    }

    enum CodingKeys: String, CodingKey { case line, field, message, kind }

    // Problems stored before `kind` existed read as `.invalid`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(line: try c.decodeIfPresent(Int.self, forKey: .line), field: try c.decode(String.self, forKey: .field),
                  message: try c.decode(String.self, forKey: .message), kind: try c.decodeIfPresent(Kind.self, forKey: .kind) ?? .invalid)
    }

    public var description: String { message }
}

extension [ValidationProblem] {
    /// True when every problem is a record the lookup did not find, so Sage itself must decide.
    public var onlyMissing: Bool { !isEmpty && allSatisfy { $0.kind == .missing } }
}

/// The idempotency key Tieline writes into Sage's change-management reference (36 characters).
public func procoreReference(pccoID: Int) -> String { "procore:pcco:\(pccoID)" }

/// Checks an export against the ERP before anything is written or accepted.
public enum ExportValidator {
    /// Sage's Change_Order and Description lengths, as SageModel's schema defines them.
    public static let changeOrderLength = SageRules.changeOrderLength
    public static let descriptionLength = SageRules.changeOrderDescriptionLength

    /// Every problem found, in PCCO order; empty when the export can be written.
    ///
    /// Number and title are checked in the form the writer stores (`SageText.normalized`), by
    /// `SageText`'s rule, so hub, agent and the Sage store agree on what fits.
    public static func problems(_ export: ChangeOrderExport, lookup: some ERPLookup) throws -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        func add(_ line: Int?, _ field: String, _ message: String, _ kind: ValidationProblem.Kind = .invalid) {
            problems.append(ValidationProblem(line: line, field: field, message: message, kind: kind))
        }

        let number = SageText.normalized(export.number)
        let title = SageText.normalized(export.title)
        if number.isEmpty {
            add(nil, "number", "PCCO number is empty; Sage needs a Change_Order of 1 to \(changeOrderLength) characters")
        } else if let bad = SageText.firstUnstorable(number) {
            add(nil, "number", "PCCO number '\(number)' contains \(SageText.describe(bad)), which Sage's Change_Order cannot store")
        } else if SageText.length(number) > changeOrderLength {
            add(nil, "number", "PCCO number '\(number)' is \(SageText.length(number)) characters; Sage's Change_Order allows at most \(changeOrderLength)")
        }
        if let bad = SageText.firstUnstorable(title) {
            add(nil, "title", "PCCO title '\(title.clipped(60))' contains \(SageText.describe(bad)), which Sage's Description cannot store")
        } else if SageText.length(title) > descriptionLength {
            add(nil, "title", "PCCO title '\(title)' is \(SageText.length(title)) characters; Sage's Description allows at most \(descriptionLength)")
        }
        if export.lines.isEmpty {
            add(nil, "lines", "PCCO \(number) has no line items; there is nothing to export")
        }

        // A record the lookup did not find: a fact when Sage was asked, only the mirror's gap otherwise.
        let absent = lookup.isMirror ? "is not in the hub's mirror of Sage" : "does not exist in Sage"
        let absentOn = lookup.isMirror ? "is not in the hub's mirror of Sage for" : "does not exist on"
        let jobExists = try lookup.jobExists(export.job)
        if !jobExists {
            add(nil, "job", "Procore project \(export.projectName) is linked to Sage job '\(export.job)', which \(absent)", .missing)
        }
        let contractExists: Bool
        if let contract = try lookup.contract(export.contract) {
            contractExists = true
            if contract.status != SageRules.contractStatusTakingChangeOrders {
                add(nil, "contract", "Sage contract \(export.contract) is \(contract.status); it must be \(SageRules.contractStatusTakingChangeOrders) before it takes change orders")
            }
            if contract.job != export.job {
                add(nil, "contract", "Sage contract \(export.contract) belongs to job \(contract.job), not to \(export.job)")
            }
        } else {
            contractExists = false
            add(nil, "contract", "the prime contract is linked to Sage contract '\(export.contract)', which \(absent)", .missing)
        }
        if contractExists, !number.isEmpty, SageText.length(number) <= changeOrderLength,
           let existing = try lookup.changeOrderReference(contract: export.contract, number: number),
           existing != procoreReference(pccoID: export.pccoID) {
            let owner = existing.map { "another Procore change order (\($0))" } ?? "a change order entered in Sage"
            add(nil, "number", "change order \(number) already exists on contract \(export.contract), from \(owner); it is not overwritten")
        }

        for line in export.lines {
            let n = line.position
            if contractExists, try !lookup.contractItemExists(contract: export.contract, item: line.contractItem) {
                add(n, "lines[\(n)].contractItem", "\(line.label): contract item '\(line.contractItem)' \(absentOn) contract \(export.contract)", .missing)
            }
            if jobExists, try !lookup.categoryExists(job: export.job, costCode: line.costCode, category: line.category) {
                add(n, "lines[\(n)].costCode", "\(line.label): cost code \(line.costCode) with category \(line.category) \(absentOn) job \(export.job)", .missing)
            }
            for (m, markup) in line.markups.enumerated() where jobExists {
                if try !lookup.categoryExists(job: export.job, costCode: markup.costCode, category: markup.category) {
                    add(n, "lines[\(n)].markups[\(m + 1)].costCode",
                        "\(line.label): markup '\(markup.name)' goes to cost code \(markup.costCode) with category \(markup.category), which \(absentOn) job \(export.job)", .missing)
                }
            }
        }
        return problems
    }
}
