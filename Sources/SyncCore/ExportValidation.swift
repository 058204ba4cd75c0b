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
}

/// One reason an export cannot be accepted, naming the line and field.
public struct ValidationProblem: Sendable, Hashable, Codable, CustomStringConvertible {
    /// 1-based line number on the PCCO, nil for header fields.
    public var line: Int?
    /// The field at fault, e.g. `number`, `lines[2].contractItem`.
    public var field: String
    public var message: String

    public init(line: Int?, field: String, message: String) {
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String { message }
}

/// The idempotency key Tieline writes into Sage's change-management reference (36 characters).
public func procoreReference(pccoID: Int) -> String { "procore:pcco:\(pccoID)" }

/// Checks an export against the ERP before anything is written or accepted.
public enum ExportValidator {
    /// Sage's Change_Order and Description lengths.
    public static let changeOrderLength = 5
    public static let descriptionLength = 30

    /// Every problem found, in PCCO order; empty when the export can be written.
    public static func problems(_ export: ChangeOrderExport, lookup: some ERPLookup) throws -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        func add(_ line: Int?, _ field: String, _ message: String) {
            problems.append(ValidationProblem(line: line, field: field, message: message))
        }

        let number = export.number
        if number.isEmpty {
            add(nil, "number", "PCCO number is empty; Sage needs a Change_Order of 1 to \(changeOrderLength) characters")
        } else if number.count > changeOrderLength {
            add(nil, "number", "PCCO number '\(number)' is \(number.count) characters; Sage's Change_Order allows at most \(changeOrderLength)")
        }
        if export.title.count > descriptionLength {
            add(nil, "title", "PCCO title '\(export.title)' is \(export.title.count) characters; Sage's Description allows at most \(descriptionLength)")
        }
        if export.lines.isEmpty {
            add(nil, "lines", "PCCO \(number) has no line items; there is nothing to export")
        }

        let jobExists = try lookup.jobExists(export.job)
        if !jobExists {
            add(nil, "job", "Procore project \(export.projectName) is linked to Sage job '\(export.job)', which does not exist in Sage")
        }
        let contractExists: Bool
        if let contract = try lookup.contract(export.contract) {
            contractExists = true
            if contract.status != "Approved" {
                add(nil, "contract", "Sage contract \(export.contract) is \(contract.status); it must be Approved before it takes change orders")
            }
            if contract.job != export.job {
                add(nil, "contract", "Sage contract \(export.contract) belongs to job \(contract.job), not to \(export.job)")
            }
        } else {
            contractExists = false
            add(nil, "contract", "the prime contract is linked to Sage contract '\(export.contract)', which does not exist in Sage")
        }
        if contractExists, !number.isEmpty, number.count <= changeOrderLength,
           let existing = try lookup.changeOrderReference(contract: export.contract, number: number),
           existing != procoreReference(pccoID: export.pccoID) {
            let owner = existing.map { "another Procore change order (\($0))" } ?? "a change order entered in Sage"
            add(nil, "number", "change order \(number) already exists on contract \(export.contract), from \(owner); it is not overwritten")
        }

        for (index, line) in export.lines.enumerated() {
            let n = index + 1
            let name = "line \(n) (\(line.description.clipped(40)))"
            if contractExists, try !lookup.contractItemExists(contract: export.contract, item: line.contractItem) {
                add(n, "lines[\(n)].contractItem", "\(name): contract item '\(line.contractItem)' does not exist on Sage contract \(export.contract)")
            }
            if jobExists, try !lookup.categoryExists(job: export.job, costCode: line.costCode, category: line.category) {
                add(n, "lines[\(n)].costCode", "\(name): cost code \(line.costCode) with category \(line.category) does not exist on job \(export.job)")
            }
            for (m, markup) in line.markups.enumerated() where jobExists {
                if try !lookup.categoryExists(job: export.job, costCode: markup.costCode, category: markup.category) {
                    add(n, "lines[\(n)].markups[\(m + 1)].costCode",
                        "\(name): markup '\(markup.name)' goes to cost code \(markup.costCode) with category \(markup.category), which does not exist on job \(export.job)")
                }
            }
        }
        return problems
    }
}
