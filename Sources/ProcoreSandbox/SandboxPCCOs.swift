import Foundation
import Procore
import TielineCore

/// What to put in a PCCO the sandbox creates; everything left nil is chosen from the seed.
public struct PCCOSpec: Sendable, Hashable {
    /// One line: a change to the contract item whose origin code is `contractItem`.
    public struct Line: Sendable, Hashable {
        public var contractItem: String
        /// The line before markups (Procore's `extended_amount`); the markup is added to make `amount`.
        public var amount: Money
        public var description: String?
        public init(contractItem: String, amount: Money, description: String? = nil) {
            self.contractItem = contractItem
            self.amount = amount
            self.description = description
        }
    }

    public var projectID: Int?
    public var number: String?
    public var title: String?
    public var lines: [Line]?
    /// Markup percent (whole number) on the first line, booked to that line's cost code and type; 0 for none.
    public var markupPercent: Int
    public var transactionDate: CalendarDate?
    /// Procore's Send to ERP: the approved PCCO goes to the ERP integration as `create_prime_contract_change_order`.
    /// Only a prime contract imported from Ready to Import can be sent (its project and items carry Sage's origin
    /// codes). False: a PCCO Procore keeps to itself, on any contract (the public-API path reads it from the API).
    public var sendToERP: Bool

    public init(projectID: Int? = nil, number: String? = nil, title: String? = nil, lines: [Line]? = nil,
                markupPercent: Int = 15, transactionDate: CalendarDate? = nil, sendToERP: Bool = true) {
        self.projectID = projectID
        self.number = number
        self.title = title
        self.lines = lines
        self.markupPercent = markupPercent
        self.transactionDate = transactionDate
        self.sendToERP = sendToERP
    }

    /// Reads the `POST /sandbox/pccos` body.
    init(json: JSONValue) throws(TielineError) {
        let r = PayloadReader(json, path: "pcco")
        var sendToERP = true
        if let flag = try r.optional("send_to_erp") {
            guard case .bool(let b) = flag.value else {
                throw TielineError(.invalidInput, "pcco.send_to_erp: expected true or false, found \(flag.value.typeName)")
            }
            sendToERP = b
        }
        self.init(projectID: try r.optionalInt("project_id"), number: try r.optionalString("number"),
                  title: try r.optionalString("title", maxLength: 1000),
                  lines: try r.optional("lines")?.asArray().map { (l) throws(TielineError) in
                      Line(contractItem: try l.string("contract_item"), amount: try l.money("amount"),
                           description: try l.optionalString("description", maxLength: 1000))
                  },
                  markupPercent: try r.optionalInt("markup_percent") ?? 15,
                  transactionDate: try r.optionalDate("transaction_date"),
                  sendToERP: sendToERP)
    }
}

extension SandboxData {
    /// Creates an approved PCCO and, sent to ERP, enqueues its `create_prime_contract_change_order` ERP request
    /// (nil when kept in Procore).
    mutating func createPCCO(_ spec: PCCOSpec, now: Date) throws(TielineError) -> (SandboxPCCO, erpRequestID: Int?) {
        // Sent to ERP: only on a contract imported from staging — the sandbox makes no Sage-linked contract of its own.
        let candidates = projects.filter { p in contracts.contains { $0.projectID == p.id && !$0.items.isEmpty && (!spec.sendToERP || $0.importedFrom != nil) } }
        let project: SandboxProject
        if let id = spec.projectID {
            guard let p = self.project(id) else { throw TielineError(.notFound, "pcco.project_id: project \(id) does not exist") }
            project = p
        } else {
            guard !candidates.isEmpty else {
                throw TielineError(.notFound, spec.sendToERP
                    ? "no prime contract was imported from Ready to Import: stage Sage's jobs and prime contracts (sync_jobs, sync_prime_contracts) and import them (POST /sandbox/import_all) first, or set send_to_erp to false"
                    : "no project has a prime contract with line items")
            }
            project = candidates[Int(rng.next() % UInt64(candidates.count))]
        }
        guard let contract = contracts.first(where: { $0.projectID == project.id && !$0.items.isEmpty }) else {
            throw TielineError(.notFound, "pcco.project_id: project \(project.id) has no prime contract with line items")
        }
        if spec.sendToERP, contract.importedFrom == nil {
            throw TielineError(.conflict, "pcco.send_to_erp: prime contract \(contract.number) of project \(project.id) was not imported from Ready to Import, "
                + "so Procore cannot send its change orders to ERP; stage it (sync_jobs, sync_prime_contracts) and import it first, or set send_to_erp to false")
        }
        var lineSpecs: [PCCOSpec.Line] = []
        if let given = spec.lines {
            lineSpecs = given
        } else {
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                let item = contract.items[Int(rng.next() % UInt64(contract.items.count))]
                let cents = Int64(10_000 + rng.next() % 2_000_000)
                lineSpecs.append(.init(contractItem: item.originCode ?? "#\(item.id)", amount: Money(cents: cents), description: "Change to \(item.description)"))
            }
        }
        var lines: [SandboxPCCOLine] = []
        for (i, l) in lineSpecs.enumerated() {
            // An item is named by its origin code, or by "#id" when it has none (a contract never linked to an ERP).
            guard let item = contract.items.first(where: { ($0.originCode ?? "#\($0.id)") == l.contractItem }) else {
                throw TielineError(.notFound, "pcco.lines[\(i)].contract_item: contract \(contract.number) has no item '\(l.contractItem)'")
            }
            var markups: [SandboxMarkup] = []
            if i == 0, spec.markupPercent != 0 {
                // Round half away from zero to the cent, as Procore shows markups.
                let raw = l.amount.cents * Int64(spec.markupPercent)
                let cents = (raw.magnitude % 100 >= 50 ? raw / 100 + (raw < 0 ? -1 : 1) : raw / 100)
                markups.append(SandboxMarkup(id: newID(), markupID: 12, name: "Overhead and profit", percentage: "\(spec.markupPercent).00",
                                             amount: Money(cents: cents), destinationCostCodeID: item.costCodeID,
                                             destinationLineItemTypeID: item.lineItemTypeID))
            }
            lines.append(SandboxPCCOLine(id: newID(), description: l.description ?? "Change to \(item.description)",
                                         amount: l.amount + markups.map(\.amount).sum(), extendedAmount: l.amount,
                                         primeLineItemID: item.id, costCodeID: item.costCodeID, lineItemTypeID: item.lineItemTypeID,
                                         markups: markups, originID: nil))
        }
        let count = pccos.filter { $0.contractID == contract.id }.count
        let pcco = SandboxPCCO(
            id: newID(), projectID: project.id, contractID: contract.id,
            number: spec.number ?? String(format: "%03d", count + 1), title: spec.title ?? "Change order \(count + 1)",
            description: "Created by the Tieline sandbox", status: "approved", originID: nil, originCode: nil,
            transactionDate: spec.transactionDate ?? CalendarDate.today(now: now), createdAt: now, updatedAt: now, lines: lines)
        pccos.append(pcco)
        guard spec.sendToERP else { return (pcco, nil) }
        let detailID = newID()
        let requestID = enqueueERPRequest(name: "create_prime_contract_change_order", data: createPayload(pcco, requestDetailID: detailID),
                                          requestDetailID: detailID, projectID: project.id, now: now)
        return (pcco, requestID)
    }

    /// Queues an ERP request as Procore's ERP platform would (its request detail pending), and rings the webhook.
    mutating func enqueueERPRequest(name: String, data: JSONValue, requestDetailID: Int?, projectID: Int?, now: Date) -> Int {
        if let requestDetailID, requestDetails[requestDetailID] == nil {
            requestDetails[requestDetailID] = SandboxRequestDetail(id: requestDetailID, status: "pending", messages: [])
        }
        let requestID = newID()
        erpRequests.append(SandboxERPRequest(id: requestID, name: name, data: data, createdAt: now))
        fire(resourceName: "ERP Requests", eventType: "create", resourceID: requestID, projectID: projectID, now: now)
        return requestID
    }

    /// `POST /sandbox/erp_requests`: a whole request document (`request_name`, `request_data`), e.g. a
    /// sample from Procore's ERP Events Dictionary, queued as if Procore had sent it.
    mutating func enqueueERPRequest(document: JSONValue, now: Date) throws(TielineError) -> Int {
        let root = PayloadReader(document, path: "erp_request")
        let name = try root.string("request_name", allowEmpty: false)
        let data = try root.required("request_data")
        return enqueueERPRequest(name: name, data: data.value, requestDetailID: try data.optionalInt("request_detail_id"),
                                 projectID: try data.optional("project")?.optionalInt("id"), now: now)
    }
}
