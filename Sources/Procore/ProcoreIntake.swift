import Foundation
import TielineCore

/// One ERP request as fetched: its event, or why its payload could not be read.
public struct ERPRequest: Sendable {
    /// The ERP request id (Procore's `erp_requests` id).
    public var id: Int
    /// Procore's `request_name`, e.g. `create_prime_contract_change_order`.
    public var requestName: String
    /// The parsed event, when the payload was valid.
    public var event: ERPEvent?
    /// Why the payload was rejected, when it was.
    public var error: TielineError?
    /// The request detail to close, read leniently so even a bad payload can be failed visibly.
    public var requestDetailID: Int?
}

/// PCCOs polled through the public API: the exports, and the PCCOs that could not be read.
public struct PollResult: Sendable {
    /// PCCOs ready to export.
    public var exports: [ChangeOrderExport]
    /// PCCOs skipped because their data could not be read.
    public var failures: [PollFailure]
}

/// A PCCO the public-API poll found but could not turn into an export.
public struct PollFailure: Sendable {
    public var projectID: Int
    public var pccoID: Int
    public var error: TielineError
}

/// The Procore side of PCCO export: finds approved PCCOs and reports results back.
///
/// Two intake styles, one output (`ChangeOrderExport`): ERP requests delivered by Procore's
/// ERP platform, and polling the public REST API for projects linked to Sage jobs.
public actor ProcoreIntake {
    public nonisolated let client: ProcoreClient
    var companyID: Int { client.configuration.companyID }
    var linked: [LinkedProject]?
    var linkedLoadedAt: Date?
    /// Projects linked in the hub (`tieline hub sites procore-link`), polled like those with an origin code.
    var hubLinks: [HubProjectLink] = []

    /// Sets the links kept in the hub.
    public func setHubLinks(_ links: [HubProjectLink]) { hubLinks = links }
    /// How long the list of linked projects is trusted before the next poll reloads it.
    static let linkedProjectsMaxAge: TimeInterval = 600

    /// An intake over `client`.
    public init(client: ProcoreClient) { self.client = client }

    // MARK: Public API style

    /// Reloads the projects linked to Sage jobs (those with an origin_code).
    @discardableResult
    public func refreshLinkedProjects() async throws -> [LinkedProject] {
        let rows = try await client.getAll("/rest/v1.0/projects", query: [("company_id", String(companyID))])
        var projects: [LinkedProject] = []
        for (i, row) in rows.enumerated() {
            if let p = try PublicAPIParsing.project(PayloadReader(row, path: "projects[\(i)]")) { projects.append(p) }
        }
        linked = projects
        linkedLoadedAt = Date()
        return projects
    }

    /// Approved, not yet synced PCCOs updated in `since...until` (now by default), across linked projects.
    ///
    /// With nothing new this costs exactly one request per linked project (after the first
    /// call, which also loads the linked projects).
    public func poll(since: Date, until: Date? = nil) async throws -> PollResult {
        // Linked projects are reloaded now and then: an accountant imports new ones from Ready to Import.
        var projects = linked ?? []
        if linked == nil || linkedLoadedAt.map({ Date().timeIntervalSince($0) > Self.linkedProjectsMaxAge }) ?? true {
            projects = try await refreshLinkedProjects()
        }
        for link in hubLinks where !projects.contains(where: { $0.id == link.projectID }) {
            projects.append(LinkedProject(id: link.projectID, name: "", job: link.job))
        }
        let window = PublicAPIParsing.range(since, until ?? Date(timeIntervalSince1970: 4_102_444_800))
        var result = PollResult(exports: [], failures: [])
        for project in projects {
            // Procore documents filters[id], [batch_id], [legacy_package_id] and [contract_id] for this list,
            // not status or updated_at: they are sent (harmless if ignored) and checked here as well.
            let rows = try await client.getAll("/rest/v1.0/projects/\(project.id)/prime_change_orders",
                                               query: [("filters[status]", "approved"), ("filters[updated_at]", window)])
            var contracts: [Int: LinkedContract] = [:]
            for (i, row) in rows.enumerated() {
                let reader = PayloadReader(row, path: "prime_change_orders[\(i)]")
                let pccoID = (try? reader.int("id")) ?? 0
                do {
                    let summary = try ChangeOrderSummary(reader)
                    // Synced already (origin_id set) or not approved: nothing to export.
                    // origin_id set means another integration (or Procore's ERP platform) synced it; the hub's own
                    // links are in its queue, which ignores PCCOs it already took.
                    guard summary.originID == nil, summary.status == "approved" else { continue }
                    if let updated = summary.updatedAt, updated < since { continue }
                    let contract: LinkedContract
                    if let known = contracts[summary.contractID] {
                        contract = known
                    } else {
                        let doc = try await client.getJSON("/rest/v1.0/prime_contracts/\(summary.contractID)",
                                                           query: [("project_id", String(project.id))])
                        contract = try LinkedContract(PayloadReader(doc, path: "prime_contract"),
                                                      hubLink: hubLinks.first { $0.projectID == project.id })
                        contracts[summary.contractID] = contract
                    }
                    let lines = try await client.getAll(
                        "/rest/v2.0/companies/\(companyID)/projects/\(project.id)/prime_change_orders/\(summary.id)/line_items")
                    let readers = lines.enumerated().map { PayloadReader($0.element, path: "line_items[\($0.offset)]") }
                    result.exports.append(try PublicAPIParsing.export(summary, project: project, contract: contract,
                                                                      lines: readers, companyID: companyID))
                } catch let error as TielineError {
                    result.failures.append(PollFailure(projectID: project.id, pccoID: pccoID, error: error))
                } catch let error as ProcoreAPIError where error.status == 404 || error.status == 403 {
                    // One PCCO's contract gone or hidden must not block the others.
                    result.failures.append(PollFailure(projectID: project.id, pccoID: pccoID, error: error.tielineError))
                }
            }
        }
        return result
    }

    /// The exports `poll` finds; throws the first unreadable PCCO's error, if any.
    public func pendingExports(since: Date, until: Date? = nil) async throws -> [ChangeOrderExport] {
        let result = try await poll(since: since, until: until)
        if let failure = result.failures.first { throw failure.error }
        return result.exports
    }

    // MARK: ERP request style

    /// ERP requests with an id above `after` (all when nil), each parsed or with its error.
    public func fetchERPRequests(after: Int? = nil) async throws -> [ERPRequest] {
        let rows = try await client.getAll("/rest/v1.0/companies/\(companyID)/erp_requests")
        var requests: [ERPRequest] = []
        for (i, row) in rows.enumerated() {
            let r = PayloadReader(row, path: "erp_requests[\(i)]")
            let id = try r.int("id")
            if let after, id <= after { continue }
            requests.append(try await erpRequest(id: id, listed: r))
        }
        return requests
    }

    /// One ERP request by its id, as a webhook's `resource_id` names it. Procore's ERP guide: "you are responsible
    /// for fetching event payloads from the ERP Requests Show endpoint using the resource_id" (erp_events_dictionary.md).
    public func fetchERPRequest(id: Int) async throws -> ERPRequest {
        try await erpRequest(id: id, listed: nil)
    }

    /// Parses a request: as listed when the list carried its payload, else read first with Show ERP Request (a failed
    /// read throws; the list may omit payloads). An unreadable payload becomes the request's error.
    private func erpRequest(id: Int, listed: PayloadReader?) async throws -> ERPRequest {
        let full: PayloadReader
        if let listed, (try? listed.optional("request_data")) != nil {
            full = listed
        } else {
            let json = try await client.getJSON("/rest/v1.0/companies/\(companyID)/erp_requests/\(id)")
            full = PayloadReader(json, path: "erp_request")
        }
        var request = ERPRequest(id: id, requestName: (try? (listed ?? full).string("request_name")) ?? "", event: nil, error: nil)
        do {
            let data = try full.required("request_data")
            request.requestDetailID = try? data.optionalInt("request_detail_id")
            request.event = try ERPEvent.parse(requestName: try full.string("request_name"), data: data, companyID: companyID)
        } catch {
            request.error = error
        }
        return request
    }

    // MARK: Write-back

    /// Tells Procore the PCCO is in Sage: origin ids back (ERP style also closes the request detail).
    public func reportSynced(_ export: ChangeOrderExport, keys: SageKeys, messages: [String] = []) async throws {
        switch export.intake {
        case .erpRequest(let detailID):
            try await syncExternalData(pccoID: export.pccoID, keys: keys)
            try await closeRequestDetail(detailID, success: true, messages: messages)
        case .publicAPI:
            // Procore's reference for Update Prime Change Order takes a `change_order` object whose fields do not
            // include origin_id or origin_code: there is no documented place for them, so the link stays in the
            // hub (its queue knows the PCCO is Synced and never takes it again). Nothing is sent.
            return
        }
    }

    /// Tells Procore the export failed, with messages the user sees ("Failed to Export").
    ///
    /// The public API has no place for an export failure, so for `.publicAPI` nothing is sent
    /// and the PCCO simply stays unsynced; the hub shows the error in its own console.
    public func reportFailed(_ export: ChangeOrderExport, messages: [String]) async throws {
        guard case .erpRequest(let detailID) = export.intake else { return }
        try await closeRequestDetail(detailID, success: false, messages: messages)
    }

    /// Closes an ERP request detail with `success` or `failed` and user-visible messages.
    public func closeRequestDetail(_ id: Int, success: Bool, messages: [String]) async throws {
        // Messages are sent as an array of strings; the exact shape Procore expects is not in
        // the public ERP docs, which only show `status`.
        var detail: [String: JSONValue] = ["status": .string(success ? "success" : "failed")]
        if !messages.isEmpty { detail["messages"] = .array(messages.map { .string($0.clipped(2000)) }) }
        _ = try await client.send(.PUT, "/rest/v1.0/companies/\(companyID)/erp_request_details/\(id)",
                                  json: .object(["request_detail": .object(detail)]))
    }

    /// Syncs origin ids for a PCCO, its line items and markups (ERP External Data).
    public func syncExternalData(pccoID: Int, keys: SageKeys) async throws {
        var updates: [JSONValue] = [Self.update("change_order", pccoID, .string(keys.changeOrder))]
        updates += keys.lines.sorted { $0.key < $1.key }.map { Self.update("line_item", $0.key, .string($0.value)) }
        updates += keys.markups.sorted { $0.key < $1.key }.map { Self.update("markup", $0.key, .string($0.value)) }
        _ = try await client.send(.PATCH, "/rest/v1.0/companies/\(companyID)/external_data/sync",
                                  json: .object(["updates": .array(updates)]))
    }

    /// Marks a PCCO and its lines unsynced (origin_id null), as a reset or unlink requires.
    public func markUnsynced(pccoID: Int, lineItemIDs: [Int]) async throws {
        let updates = [Self.update("change_order", pccoID, .null)] + lineItemIDs.map { Self.update("line_item", $0, .null) }
        _ = try await client.send(.PATCH, "/rest/v1.0/companies/\(companyID)/external_data/sync",
                                  json: .object(["updates": .array(updates)]))
    }

    static func update(_ type: String, _ id: Int, _ origin: JSONValue) -> JSONValue {
        .object(["item_type": .string(type), "item_id": .number(String(id)), "origin_id": origin])
    }
}
