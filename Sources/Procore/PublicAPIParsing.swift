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

    init(_ r: PayloadReader) throws(TielineError) {
        id = try r.int("id")
        contract = try ChangeOrderParsing.originCode(r, what: "prime contract")
        itemCodes = try ChangeOrderParsing.contractItemCodes(try r.optionalArray("line_items"))
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
