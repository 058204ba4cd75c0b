import Foundation
import Procore
import TielineCore

/// The Procore REST endpoints Tieline uses, answered from `SandboxData`.
extension SandboxData {
    mutating func route(_ r: SandboxRequest, now: Date) -> SandboxReply {
        let s = r.segments
        do {
            switch (r.method, s.count) {
            case ("GET", 3) where s[1] == "v1.0" && s[2] == "me":
                // A service account (client credentials) is its own user.
                return .ok(.object(["id": Self.num(serviceAccountID), "login": .string("tieline-sandbox@dmsa.procore.example"),
                                    "name": .string("Tieline Sandbox Service Account")]))
            case ("GET", 3) where s[1] == "v1.0" && s[2] == "companies":
                return Self.page([.object(["id": Self.num(companyID), "name": .string(companyName), "is_active": .bool(true),
                                           "logo_url": .null, "pcn_business_experience": .null])], r)
            case ("GET", 3) where (s[1] == "v1.0" || s[1] == "v1.1") && s[2] == "projects":
                // Procore's List Projects takes the company as a query parameter (and the header, per MPR).
                guard let c = r.query["company_id"] else { return .error(400, "company_id is required") }
                guard c == String(companyID) else { return .error(403, "no access to company \(c.clipped(20))") }
                return Self.page(projects.map(projectJSON), r)
            case ("GET", 4) where s[1] == "v1.0" && s[2] == "projects":
                guard let p = Int(s[3]).flatMap(project) else { return .error(404, "project not found") }
                return .ok(projectJSON(p))
            case ("GET", 5) where s[1] == "v1.0" && s[2] == "projects" && s[4] == "prime_change_orders":
                return try listPCCOs(projectID: s[3], r)
            case (_, 6) where s[1] == "v1.0" && s[2] == "projects" && s[4] == "prime_change_orders":
                guard let id = Int(s[5]), let index = pccos.firstIndex(where: { $0.id == id && String($0.projectID) == s[3] }) else {
                    return .error(404, "prime change order not found")
                }
                if r.method == "GET" { return .ok(pccoJSON(pccos[index])) }
                guard r.method == "PATCH" else { return .error(405, "method not allowed") }
                return try patchPCCO(index, r, now: now)
            case ("GET", 3) where s[1] == "v1.0" && s[2] == "prime_contracts":
                guard let p = r.query["project_id"].flatMap(Int.init) else { return .error(400, "project_id is required") }
                return Self.page(contracts.filter { $0.projectID == p }.map { contractJSON($0, items: false) }, r)
            case ("GET", 4) where s[1] == "v1.0" && s[2] == "prime_contracts":
                guard let p = r.query["project_id"].flatMap(Int.init) else { return .error(400, "project_id is required") }
                guard let c = Int(s[3]).flatMap(contract), c.projectID == p else { return .error(404, "prime contract not found") }
                return .ok(contractJSON(c, items: true))
            case ("GET", 9) where s[1] == "v2.0" && s[2] == "companies" && s[4] == "projects" && s[6] == "prime_change_orders" && s[8] == "line_items":
                guard s[3] == String(companyID) else { return .error(403, "no access to company \(s[3])") }
                guard let p = pccos.first(where: { String($0.id) == s[7] && String($0.projectID) == s[5] }) else {
                    return .error(404, "prime change order not found")
                }
                var reply = Self.page(p.lines.enumerated().map { pccoLineJSON($0.element, position: $0.offset + 1, contract: contract(p.contractID)) }, r)
                if let items = reply.json, reply.status == 200 { reply.json = .object(["data": items]) }
                return reply
            case (_, _) where s.count >= 4 && s[1] == "v1.0" && s[2] == "webhooks" && s[3] == "hooks":
                return try webhooksRoute(Array(s.dropFirst(4)), r)
            case (_, _) where s.count >= 5 && (s[1] == "v1.0" || s[1] == "v1.1") && s[2] == "companies":
                guard s[3] == String(companyID) else { return .error(403, "no access to company \(s[3])") }
                return try companyRoute(Array(s.dropFirst(4)), r, now: now)
            default:
                return .error(404, "no route for \(r.method) \(r.path)")
            }
        } catch {
            return .error(422, error.message)
        }
    }

    func listPCCOs(projectID: String, _ r: SandboxRequest) throws(TielineError) -> SandboxReply {
        guard let pid = Int(projectID), project(pid) != nil else { return .error(404, "project not found") }
        var list = pccos.filter { $0.projectID == pid }
        // The filters Procore's reference documents for this list (id, contract_id, status, updated_at, executed;
        // batch, vendor and signature filters have nothing to match in the sandbox and are ignored).
        for (name, keyPath) in [("filters[id]", \SandboxPCCO.id), ("filters[contract_id]", \SandboxPCCO.contractID)] {
            guard let text = r.query[name] else { continue }
            let wanted = Set(text.split(separator: ",").compactMap { Int(String($0).trimmingWhitespace()) })
            list = list.filter { wanted.contains($0[keyPath: keyPath]) }
        }
        if let status = r.query["filters[status]"] {
            let allowed = Set(status.split(separator: ",").map(String.init))
            list = list.filter { allowed.contains($0.status) }
        }
        if let executed = r.query["filters[executed]"] {
            list = list.filter { ($0.documentedFields["executed"] ?? .bool(false)) == .bool(executed == "true") }
        }
        if let range = r.query["filters[updated_at]"] {
            let parts = range.components(separatedBy: "...")
            let f = ISO8601DateFormatter()
            guard parts.count == 2, let from = f.date(from: parts[0]), let to = f.date(from: parts[1]) else {
                throw TielineError(.invalidInput, "filters[updated_at] must be 'start...end' in ISO 8601")
            }
            list = list.filter { $0.updatedAt >= from && $0.updatedAt <= to }
        }
        switch r.query["sort"] {
        case "-id": list.sort { $0.id > $1.id }
        case "created_at": list.sort { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        case "-created_at": list.sort { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
        default: list.sort { $0.id < $1.id }
        }
        return Self.page(list.map(pccoJSON), r)
    }

    /// Update Prime Change Order as Procore's reference documents its `change_order` body (the OpenAPI-derived
    /// weigandconstruction/procore_python_sdk, docs/ChangeOrder1.md): number, title, description and status,
    /// and the dates, flags, revision, reference and schedule impact below, each checked against its documented
    /// type. Fields it does not list (origin_id, origin_code among them) are ignored, as Procore's permitted
    /// parameters are; so are the listed ones the sandbox does not model (attachments, batch, change reason,
    /// location, reviewer, received from, contract, custom fields) — README: where the sandbox departs.
    mutating func patchPCCO(_ index: Int, _ r: SandboxRequest, now: Date) throws(TielineError) -> SandboxReply {
        guard let body = try PayloadReader(try r.json).optional("change_order") else {
            return .error(400, "param is missing or the value is empty: change_order")
        }
        guard case .object(let given) = body.value else { throw TielineError(.invalidInput, "change_order: expected an object") }
        // Everything is read before anything changes, so one wrong field leaves the PCCO as it was.
        let number = try body.optionalString("number", maxLength: 255), title = try body.optionalString("title", maxLength: 255)
        let description = try body.optionalString("description", maxLength: 10_000), status = try body.optionalString("status", maxLength: 40)
        if let status {
            let statuses = ["draft", "pricing", "not_pricing", "pending", "revised", "proceeding", "not_proceeding",
                            "pending_billable", "no_charge", "approved", "rejected", "void"]
            guard statuses.contains(status) else { throw TielineError(.invalidInput, "change_order.status: '\(status.clipped(40))' is not a change order status") }
        }
        var updates: [String: JSONValue] = [:]
        for (name, kind) in Self.patchableFields {
            guard let value = given[name] else { continue }
            if case .null = value, kind != .flag { updates[name] = .null; continue }
            let field = PayloadReader(value, path: "change_order.\(name)")
            switch kind {
            case .date: updates[name] = .string(try CalendarDate(parsing: try field.asString(maxLength: 64), field: field.path).description)
            case .integer:
                let n = try field.asInt()
                guard n >= 0 else { throw TielineError(.invalidInput, "change_order.\(name): \(n) is below 0") }
                updates[name] = Self.num(n)
            case .flag:
                guard case .bool = value else { throw TielineError(.invalidInput, "change_order.\(name): expected true or false, found \(value.typeName)") }
                updates[name] = value
            case .text: updates[name] = .string(try field.asString(maxLength: 255))
            }
        }
        if let number { pccos[index].number = number }
        if let title { pccos[index].title = title }
        if let description { pccos[index].description = description }
        if let status { pccos[index].status = status }
        pccos[index].documentedFields.merge(updates) { _, new in new }
        pccos[index].updatedAt = now
        return .ok(pccoJSON(pccos[index]))
    }

    enum PatchKind { case date, integer, flag, text }
    /// The documented `change_order` fields the sandbox keeps besides number, title, description and status.
    static let patchableFields: [(String, PatchKind)] = [
        ("due_date", .date), ("paid_date", .date), ("invoiced_date", .date), ("signed_change_order_received_date", .date),
        ("revision", .integer), ("schedule_impact_amount", .integer),
        ("field_change", .flag), ("signature_required", .flag), ("executed", .flag), ("private", .flag), ("paid", .flag),
        ("reference", .text),
    ]

    /// `/rest/v1.0/companies/{id}/...`: ERP requests, request details, external data.
    mutating func companyRoute(_ s: [String], _ r: SandboxRequest, now: Date) throws(TielineError) -> SandboxReply {
        if s.first == "erp_staged_records" { return try stagedRecordsRoute(Array(s.dropFirst()), r, now: now) }
        switch (r.method, s.count, s.first ?? "") {
        case ("GET", 1, "projects"):
            return Self.page(projects.map(projectJSON), r)
        case ("GET", 1, "erp_requests"):
            return Self.page(erpRequests.map(erpRequestJSON), r)
        case ("GET", 2, "erp_requests"):
            guard let e = erpRequests.first(where: { String($0.id) == s[1] }) else { return .error(404, "ERP request not found") }
            return .ok(erpRequestJSON(e))
        case (_, 2, "erp_request_details"):
            guard let id = Int(s[1]), var detail = requestDetails[id] else { return .error(404, "request detail not found") }
            if r.method == "PUT" || r.method == "PATCH" {
                let body = try PayloadReader(try r.json).required("request_detail")
                let status = try body.string("status")
                guard ["success", "failed", "pending"].contains(status) else {
                    throw TielineError(.invalidInput, "request_detail.status: '\(status.clipped(40))' is not success, failed or pending")
                }
                detail.status = status
                detail.messages = try body.optionalArray("messages").map { (m) throws(TielineError) in try m.asString(maxLength: 10_000) }
                requestDetails[id] = detail
            } else if r.method != "GET" {
                return .error(405, "method not allowed")
            }
            return .ok(.object(["id": Self.num(id), "status": .string(detail.status), "messages": .array(detail.messages.map { .string($0) })]))
        case ("PATCH", 2, "external_data") where s[1] == "sync":
            return try syncExternalData(try r.json, now: now)
        default:
            return .error(404, "no route for \(r.method) \(r.path)")
        }
    }

    /// ERP External Data sync: origin ids for change orders, line items and markups.
    mutating func syncExternalData(_ json: JSONValue, now: Date) throws(TielineError) -> SandboxReply {
        var results: [JSONValue] = []
        for u in try PayloadReader(json).array("updates") {
            let type = try u.string("item_type"), id = try u.int("item_id")
            let origin = try u.optionalString("origin_id")
            var found = false
            switch type {
            case "change_order":
                if let i = pccos.firstIndex(where: { $0.id == id }) { pccos[i].originID = origin; pccos[i].updatedAt = now; found = true }
            case "line_item":
                for p in pccos.indices { if let l = pccos[p].lines.firstIndex(where: { $0.id == id }) { pccos[p].lines[l].originID = origin; found = true } }
            case "markup":
                found = pccos.contains { $0.lines.contains { $0.markups.contains { $0.id == id } } }
            default:
                throw TielineError(.invalidInput, "\(u.path).item_type: '\(type.clipped(40))' is not change_order, line_item or markup")
            }
            externalUpdates.append(SandboxExternalUpdate(itemType: type, itemID: id, originID: origin))
            results.append(.object(["item_type": .string(type), "item_id": Self.num(id), "status": .string(found ? "success" : "not_found")]))
        }
        return .ok(.object(["updates": .array(results)]))
    }
}
