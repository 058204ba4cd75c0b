import Foundation
import Procore
import TielineCore

/// A webhook hook as procore/documentation (plan_your_app/webhooks_api.md) describes it: a destination
/// with its headers, in a namespace, scoped to a company or a project, firing on its triggers.
struct SandboxHook: Sendable {
    var id: Int
    var namespace: String
    var companyID: Int?
    var projectID: Int?
    var apiVersion: String
    var destinationURL: String
    var destinationHeaders: [String: String]
    var triggers: [(id: Int, resourceName: String, eventType: String)] = []
}

/// One event's delivery to one hook, and what became of it (`outcome`: ok, retried, failed or discarded).
struct SandboxDelivery: Sendable {
    var id: Int
    var hookID: Int
    var event: JSONValue
    /// successful, failing or discarded (pending until the first attempt).
    var status = "pending"
    var outcome: String?
    var attempts = 0
    var responseStatus: Int?
    var responseError: String?
}

/// What the sender takes out of the store: where, with which headers, which event.
struct SandboxOutgoing: Sendable {
    var deliveryID: Int
    /// The hook's queue it waits in (flushed together after 12 hours of failures).
    var hookID: Int
    var url: String
    var headers: [String: String]
    var event: JSONValue
}

extension SandboxData {
    /// Queues `event` (resource, event type, scope) to every hook with a matching trigger, in the legacy
    /// v2.0 payload the webhooks guide shows: id, ulid, timestamp, metadata, user_id, company and project ids,
    /// api_version, event_type, resource_name, resource_id.
    mutating func fire(resourceName: String, eventType: String, resourceID: Int, projectID: Int?, now: Date) {
        for hook in hooks where hook.triggers.contains(where: { $0.resourceName == resourceName && $0.eventType == eventType }) {
            if let scope = hook.projectID, scope != projectID { continue }
            let event: JSONValue = .object([
                "id": Self.num(newID()), "ulid": .string(ulid(now)),
                "timestamp": .string(now.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))),
                "metadata": .object(["source_user_id": Self.num(serviceAccountID), "source_project_id": projectID.map(Self.num) ?? .null,
                                     "source_operation_id": .null, "source_company_id": Self.num(companyID), "source_application_id": .null]),
                "user_id": Self.num(serviceAccountID), "company_id": Self.num(companyID), "project_id": projectID.map(Self.num) ?? .null,
                "api_version": .string("v2.0"), "event_type": .string(eventType), "resource_name": .string(resourceName),
                "resource_id": Self.num(resourceID),
            ])
            let delivery = SandboxDelivery(id: newID(), hookID: hook.id, event: event)
            deliveries.append(delivery)
            outbox.append(SandboxOutgoing(deliveryID: delivery.id, hookID: hook.id, url: hook.destinationURL, headers: hook.destinationHeaders, event: event))
        }
    }

    /// A 26-character ULID: 48 bits of milliseconds, then 80 random bits, in Crockford's base 32.
    mutating func ulid(_ now: Date) -> String {
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        var time = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        var head: [Character] = []
        for _ in 0..<10 { head.append(alphabet[Int(time % 32)]); time /= 32 }
        var tail: [Character] = []
        var random = rng.next()
        for i in 0..<16 {
            if i == 12 { random = rng.next() }
            tail.append(alphabet[Int(random % 32)]); random /= 32
        }
        return String(head.reversed()) + String(tail)
    }

    /// Records an attempt's result (called by the sender); a delivery flushed with its queue was never attempted.
    mutating func recordDelivery(_ id: Int, status: Int?, error: String?, outcome: String) {
        guard let i = deliveries.firstIndex(where: { $0.id == id }) else { return }
        let flushed = outcome == "flushed"
        if !flushed { deliveries[i].attempts += 1 }
        deliveries[i].responseStatus = status
        deliveries[i].responseError = error
        deliveries[i].outcome = flushed ? "discarded" : outcome
        deliveries[i].status = outcome == "ok" ? "successful" : outcome == "discarded" || flushed ? "discarded" : "failing"
    }

    /// `/rest/v1.0/webhooks/hooks[/{id}[/triggers[/{id}]|/deliveries]]`.
    mutating func webhooksRoute(_ s: [String], _ r: SandboxRequest) throws(TielineError) -> SandboxReply {
        switch (r.method, s.count) {
        case ("POST", 0):
            let body = PayloadReader(try r.json)
            let hook = try body.required("hook")
            let namespace = try hook.string("namespace", allowEmpty: false)
            guard namespace.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) else {
                throw TielineError(.invalidInput, "hook.namespace may hold only lowercase a-z, digits and dashes")
            }
            let url = try hook.string("destination_url", maxLength: 2048, allowEmpty: false)
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? "") else {
                throw TielineError(.invalidInput, "hook.destination_url: '\(url.clipped(60))' is not an http(s) URL")
            }
            var headers: [String: String] = [:]
            if case .object(let fields)? = try hook.optional("destination_headers")?.value {
                for (name, value) in fields { if case .string(let text) = value { headers[name] = text } }
            }
            let company = try body.optionalInt("company_id"), project = try body.optionalInt("project_id")
            guard (company == nil) != (project == nil) else { throw TielineError(.invalidInput, "give company_id or project_id, not both or neither") }
            if let company, company != companyID { return .error(403, "no access to company \(company)") }
            if let project, self.project(project) == nil { return .error(404, "project not found") }
            let created = SandboxHook(id: newID(), namespace: namespace, companyID: company, projectID: project,
                                      apiVersion: try hook.optionalString("api_version") ?? "v2", destinationURL: url, destinationHeaders: headers)
            hooks.append(created)
            var reply = SandboxReply.ok(hookJSON(created))
            reply.status = 201
            return reply
        case ("GET", 0):
            let namespace = r.query["namespace"]
            return Self.page(hooks.filter { namespace == nil || $0.namespace == namespace }.map(hookJSON), r)
        case (_, 1):
            guard let i = hooks.firstIndex(where: { String($0.id) == s[0] }) else { return .error(404, "hook not found") }
            if r.method == "GET" { return .ok(hookJSON(hooks[i])) }
            guard r.method == "DELETE" else { return .error(405, "method not allowed") }
            hooks.remove(at: i)
            return SandboxReply(status: 204, json: nil)
        case ("POST", 2) where s[1] == "triggers":
            guard let i = hooks.firstIndex(where: { String($0.id) == s[0] }) else { return .error(404, "hook not found") }
            let trigger = try PayloadReader(try r.json).required("trigger")
            let resource = try trigger.string("resource_name", allowEmpty: false), event = try trigger.string("event_type")
            guard ["create", "update", "delete"].contains(event) else {
                throw TielineError(.invalidInput, "trigger.event_type must be create, update or delete")
            }
            let id = newID()
            hooks[i].triggers.append((id, resource, event))
            var reply = SandboxReply.ok(.object(["id": Self.num(id), "resource_name": .string(resource), "event_type": .string(event)]))
            reply.status = 201
            return reply
        case ("GET", 2) where s[1] == "triggers":
            guard let hook = hooks.first(where: { String($0.id) == s[0] }) else { return .error(404, "hook not found") }
            return Self.page(hook.triggers.map { .object(["id": Self.num($0.id), "resource_name": .string($0.resourceName), "event_type": .string($0.eventType)]) }, r)
        case ("GET", 2) where s[1] == "deliveries":
            guard let hook = hooks.first(where: { String($0.id) == s[0] }) else { return .error(404, "hook not found") }
            let status = r.query["filter[status]"] ?? "any"
            guard ["any", "successful", "discarded", "failing"].contains(status) else {
                throw TielineError(.invalidInput, "filter[status] must be any, successful, discarded or failing")
            }
            let list = deliveries.filter { $0.hookID == hook.id && (status == "any" || $0.status == status) }
            return Self.page(list.map { d in
                .object(["id": Self.num(d.id), "status": .string(d.status), "outcome": Self.str(d.outcome), "attempts": Self.num(d.attempts),
                         "response_status": d.responseStatus.map(Self.num) ?? .null, "response_error": Self.str(d.responseError), "event": d.event])
            }, r)
        default:
            return .error(404, "no route for \(r.method) \(r.path)")
        }
    }

    func hookJSON(_ h: SandboxHook) -> JSONValue {
        // Header values are secrets: only their names are shown back.
        .object(["id": Self.num(h.id), "namespace": .string(h.namespace), "api_version": .string(h.apiVersion),
                 "destination_url": .string(h.destinationURL), "company_id": h.companyID.map(Self.num) ?? .null,
                 "project_id": h.projectID.map(Self.num) ?? .null,
                 "destination_headers": .object(Dictionary(uniqueKeysWithValues: h.destinationHeaders.keys.map { ($0, JSONValue.string("[FILTERED]")) }))])
    }
}
