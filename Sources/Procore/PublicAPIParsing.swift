import Foundation
import TielineCore

/// A Procore project linked to a Sage job (its `origin_code` is the Job).
public struct LinkedProject: Sendable, Hashable, Codable {
    public var id: Int
    public var name: String
    /// The Sage job.
    public var job: String
    public var originID: String?

    public init(id: Int, name: String, job: String, originID: String? = nil) {
        self.id = id
        self.name = name
        self.job = job
        self.originID = originID
    }
}

/// A prime change order as `GET /rest/v1.0/projects/{id}/prime_change_orders` lists it.
struct ChangeOrderSummary: Sendable {
    var id: Int
    var number: String
    var title: String
    var description: String?
    var status: String
    var contractID: Int
    /// Set once the PCCO is synced to the ERP; such PCCOs are not exported again.
    var originID: String?
    var transactionDate: CalendarDate?
    /// When Procore last changed it; the poll skips what did not change since its last look.
    var updatedAt: Date?

    init(_ r: PayloadReader) throws(TielineError) {
        id = try r.int("id")
        number = try ChangeOrderParsing.number(r, "number")
        title = try r.optionalString("title", maxLength: PayloadReader.maxTextLength) ?? ""
        description = try r.optionalString("description", maxLength: PayloadReader.maxTextLength)
        status = try r.string("status")
        if let contract = try r.optionalInt("contract_id") {
            contractID = contract
        } else {
            contractID = try r.required("prime_contract").int("id")
        }
        originID = try r.optionalString("origin_id")
        transactionDate = try r.optional("erp_custom_fields")?.optionalDate("transaction_date")
        updatedAt = try r.optionalString("updated_at", maxLength: 40).flatMap { try? Date($0, strategy: .iso8601) }
    }
}

/// A prime contract's link to Sage: its origin code and its line items' origin codes.
struct LinkedContract: Sendable {
    var id: Int
    var contract: String
    var itemCodes: [Int: String]

    /// The contract as Procore shows it; a link kept in the hub supplies what Procore has no origin codes for.
    init(_ r: PayloadReader, hubLink: HubProjectLink? = nil) throws(TielineError) {
        id = try r.int("id")
        if let link = hubLink, link.primeContractID == id, (try r.optionalString("origin_code")) == nil {
            contract = link.contract
        } else {
            contract = try ChangeOrderParsing.originCode(r, what: "prime contract")
        }
        itemCodes = try ChangeOrderParsing.contractItemCodes(try r.optionalArray("line_items"))
        if let link = hubLink, link.primeContractID == id {
            for (item, code) in link.itemCodes where itemCodes[item] == nil { itemCodes[item] = code }
        }
    }
}

/// A Procore project and prime contract linked to a Sage job and contract in the hub (public-API style), for
/// companies whose Procore records carry no origin codes: `tieline hub sites procore-link`.
public struct HubProjectLink: Sendable, Hashable, Codable {
    public var projectID: Int
    public var job: String
    public var primeContractID: Int
    public var contract: String
    /// Procore prime contract line item id → Sage contract item.
    public var itemCodes: [Int: String]

    public init(projectID: Int, job: String, primeContractID: Int, contract: String, itemCodes: [Int: String]) {
        self.projectID = projectID
        self.job = job
        self.primeContractID = primeContractID
        self.contract = contract
        self.itemCodes = itemCodes
    }
}

enum PublicAPIParsing {
    static func project(_ r: PayloadReader) throws(TielineError) -> LinkedProject? {
        guard let job = try r.optionalString("origin_code"), !job.trimmingWhitespace().isEmpty else { return nil }
        return LinkedProject(id: try r.int("id"), name: try r.optionalString("name", maxLength: PayloadReader.maxTextLength) ?? "",
                             job: job, originID: try r.optionalString("origin_id"))
    }

    static func export(_ pcco: ChangeOrderSummary, project: LinkedProject, contract: LinkedContract,
                       lines: [PayloadReader], companyID: Int) throws(TielineError) -> ChangeOrderExport {
        ChangeOrderExport(
            intake: .publicAPI, procoreCompanyID: companyID, procoreProjectID: project.id, projectName: project.name,
            job: project.job, procoreContractID: contract.id, contract: contract.contract, pccoID: pcco.id,
            number: pcco.number, title: pcco.title, details: pcco.description, status: pcco.status,
            transactionDate: pcco.transactionDate,
            lines: try ChangeOrderParsing.lines(lines, contractItems: contract.itemCodes))
    }

    /// Procore's range filter value: `start...end` in ISO 8601 UTC.
    static func range(_ from: Date, _ to: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return "\(f.string(from: from))...\(f.string(from: to))"
    }
}
