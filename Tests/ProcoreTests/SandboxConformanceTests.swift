import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Procore
import ProcoreSandbox
import Testing
import TielineCore

/// The sandbox as procore/documentation describes Procore (oauth/, tutorials/tutorial_mpz.md,
/// plan_your_app/pagination.md), spoken to in raw HTTP as a client nobody here wrote would.
@Suite("Sandbox conformance with Procore's documentation")
struct SandboxConformanceTests {
    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var json: JSONValue?
        var text: String
    }

    static func call(_ sandbox: ProcoreSandbox, _ method: HTTPMethod, _ path: String, headers: [(String, String)] = [],
                     body: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: sandbox.baseURL.absoluteString + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let buffer = try await response.body.collect(upTo: 1 << 20)
        let text = String(buffer: buffer)
        return Reply(status: Int(response.status.code), headers: response.headers, json: try? JSONValue.parse(Data(text.utf8)), text: text)
    }

    static func field(_ json: JSONValue?, _ key: String) -> JSONValue? {
        if case .object(let fields)? = json { return fields[key] }
        return nil
    }

    static func sandbox(_ configure: (inout SandboxConfiguration) -> Void = { _ in }) async throws -> ProcoreSandbox {
        var config = SandboxConfiguration()
        configure(&config)
        return try await ProcoreSandbox.start(config)
    }

    @Test("the token endpoint takes the docs' curl -F (multipart), form, JSON and HTTP Basic, and answers as documented")
    func tokenRequests() async throws {
        let sandbox = try await Self.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let id = sandbox.configuration.clientID, secret = sandbox.configuration.clientSecret
        let boundary = "------------------------d74496d66958873e"
        let multipart = ["grant_type": "client_credentials", "client_id": id, "client_secret": secret].sorted { $0.key < $1.key }
            .map { "--\(boundary)\r\nContent-Disposition: form-data; name=\"\($0.key)\"\r\n\r\n\($0.value)\r\n" }.joined() + "--\(boundary)--\r\n"
        let encoded = Data("\(id):\(secret)".utf8).base64EncodedString()
        let requests: [(String, [(String, String)], String)] = [
            ("multipart", [("Content-Type", "multipart/form-data; boundary=\(boundary)")], multipart),
            ("form", [("Content-Type", "application/x-www-form-urlencoded")], "grant_type=client_credentials&client_id=\(id)&client_secret=\(secret)"),
            ("json", [("Content-Type", "application/json")], #"{"grant_type":"client_credentials","client_id":"\#(id)","client_secret":"\#(secret)"}"#),
            ("basic", [("Content-Type", "application/x-www-form-urlencoded"), ("Authorization", "Basic \(encoded)")], "grant_type=client_credentials"),
        ]
        for (name, headers, body) in requests {
            let reply = try await Self.call(sandbox, .POST, "/oauth/token", headers: headers, body: body)
            #expect(reply.status == 200, "\(name): \(reply.text)")
            #expect(Self.field(reply.json, "token_type") == .string("bearer"), "\(name)")
            #expect(Self.field(reply.json, "expires_in") == .number("5400"), "\(name)")
            if case .number(let created)? = Self.field(reply.json, "created_at") {
                #expect(abs((Double(created) ?? 0) - Date().timeIntervalSince1970) < 60, "\(name)")
            } else {
                Issue.record("\(name): no created_at")
            }
            #expect(Self.field(reply.json, "refresh_token") == nil, "the client-credentials example carries no refresh token")
        }
        let wrong = try await Self.call(sandbox, .POST, "/oauth/token", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                        body: "grant_type=client_credentials&client_id=\(id)&client_secret=nope")
        #expect(wrong.status == 401)
        #expect(Self.field(wrong.json, "error") == .string("invalid_client"))
        let grant = try await Self.call(sandbox, .POST, "/oauth/token", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                        body: "grant_type=password&client_id=\(id)&client_secret=\(secret)")
        #expect(Self.field(grant.json, "error") == .string("unsupported_grant_type"))
    }

    @Test("refresh_token grants a new token once; short-lived tokens expire and the client gets a new one by itself")
    func refreshAndExpiry() async throws {
        // A virtual clock shared by sandbox and client: expiry is decided by moving time, not by
        // how long a loaded CI machine takes between two requests.
        let clock = VirtualClock()
        let sandbox = try await Self.sandbox { $0.issueRefreshTokens = true; $0.tokenLifetime = 1; $0.clock = clock }
        defer { Task { await sandbox.shutdown() } }
        let id = sandbox.configuration.clientID, secret = sandbox.configuration.clientSecret
        let form = [("Content-Type", "application/x-www-form-urlencoded")]
        let first = try await Self.call(sandbox, .POST, "/oauth/token", headers: form, body: "grant_type=client_credentials&client_id=\(id)&client_secret=\(secret)")
        guard case .string(let refresh)? = Self.field(first.json, "refresh_token"), case .string(let access)? = Self.field(first.json, "access_token") else {
            Issue.record("no tokens: \(first.text)"); return
        }
        let company = ("Procore-Company-Id", String(sandbox.configuration.companyID))
        #expect(try await Self.call(sandbox, .GET, "/rest/v1.0/me", headers: [("Authorization", "Bearer \(access)"), company]).status == 200)
        clock.advance(by: .seconds(1.1))
        #expect(try await Self.call(sandbox, .GET, "/rest/v1.0/me", headers: [("Authorization", "Bearer \(access)"), company]).status == 401, "expired")
        let refreshed = try await Self.call(sandbox, .POST, "/oauth/token", headers: form,
                                            body: "grant_type=refresh_token&refresh_token=\(refresh)&client_id=\(id)&client_secret=\(secret)")
        #expect(refreshed.status == 200, "\(refreshed.text)")
        #expect(Self.field(refreshed.json, "refresh_token") != nil && Self.field(refreshed.json, "refresh_token") != .string(refresh))
        let reused = try await Self.call(sandbox, .POST, "/oauth/token", headers: form,
                                         body: "grant_type=refresh_token&refresh_token=\(refresh)&client_id=\(id)&client_secret=\(secret)")
        #expect(Self.field(reused.json, "error") == .string("invalid_grant"))

        // Tieline's own client: every token dies after a second, and it keeps working.
        let client = ProcoreClient(configuration: sandbox.clientConfiguration(), clock: clock)
        for _ in 0..<2 {
            #expect(try await client.getAll("/rest/v1.0/projects", query: [("company_id", String(sandbox.configuration.companyID))]).count >= 1)
            clock.advance(by: .seconds(1.1))
        }
    }

    @Test("the endpoints clients call first, and the Procore-Company-Id rule with the docs' own text")
    func firstCalls() async throws {
        let sandbox = try await Self.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let token = try await ProcoreClient(configuration: sandbox.clientConfiguration()).accessToken().revealed
        let bearer = ("Authorization", "Bearer \(token)"), company = ("Procore-Company-Id", String(sandbox.configuration.companyID))
        // Where no company is named the header is required, with the docs' own text (tutorials/tutorial_mpz.md).
        let project = sandbox.projects[0].id
        let bare = try await Self.call(sandbox, .GET, "/rest/v1.0/projects/\(project)/prime_change_orders", headers: [bearer])
        #expect(bare.status == 400)
        #expect(bare.text.contains("Missing Procore-Company-Id header!"))
        // Named in the path or query, or /me and /companies: taken without it, as independent clients rely on.
        for path in ["/rest/v1.0/me", "/rest/v1.0/companies", "/rest/v1.0/companies/\(sandbox.configuration.companyID)/projects",
                     "/rest/v1.1/projects?company_id=\(sandbox.configuration.companyID)"] {
            #expect(try await Self.call(sandbox, .GET, path, headers: [bearer]).status == 200, "\(path)")
        }
        let other = try await Self.call(sandbox, .GET, "/rest/v1.0/projects?company_id=999", headers: [bearer])
        #expect(other.status == 403)
        let me = try await Self.call(sandbox, .GET, "/rest/v1.0/me", headers: [bearer, company])
        #expect(me.status == 200)
        #expect(Self.field(me.json, "login") != nil && Self.field(me.json, "name") != nil)
        let companies = try await Self.call(sandbox, .GET, "/rest/v1.0/companies", headers: [bearer, company])
        guard case .array(let list)? = companies.json else { Issue.record("companies: \(companies.text)"); return }
        #expect(list.map { Self.field($0, "id") } == [.number(String(sandbox.configuration.companyID))])
        for path in ["/rest/v1.0/projects?company_id=\(sandbox.configuration.companyID)", "/rest/v1.1/projects?company_id=\(sandbox.configuration.companyID)",
                     "/rest/v1.0/companies/\(sandbox.configuration.companyID)/projects"] {
            let projects = try await Self.call(sandbox, .GET, path, headers: [bearer, company])
            guard case .array(let rows)? = projects.json else { Issue.record("\(path): \(projects.text)"); continue }
            #expect(!rows.isEmpty, "\(path)")
            #expect(rows.allSatisfy { Self.field(Self.field($0, "company"), "id") == .number(String(sandbox.configuration.companyID)) }, "\(path)")
        }
        #expect(try await Self.call(sandbox, .GET, "/rest/v1.0/projects", headers: [bearer, company]).status == 400, "company_id is required")
    }

    @Test("Link headers exactly as the pagination guide shows them")
    func linkHeaders() async throws {
        let sandbox = try await Self.sandbox { $0.syntheticProjects = 5 }
        defer { Task { await sandbox.shutdown() } }
        let token = try await ProcoreClient(configuration: sandbox.clientConfiguration()).accessToken().revealed
        let headers = [("Authorization", "Bearer \(token)"), ("Procore-Company-Id", String(sandbox.configuration.companyID))]
        var total = 0
        func rels(_ page: Int) async throws -> [String] {
            let reply = try await Self.call(sandbox, .GET, "/rest/v1.0/projects?company_id=\(sandbox.configuration.companyID)&per_page=1&page=\(page)", headers: headers)
            total = Int(reply.headers.first(name: "Total") ?? "") ?? 0
            #expect(reply.headers.first(name: "Per-Page") == "1")
            let link = reply.headers.first(name: "Link") ?? ""
            return link.components(separatedBy: ", ").compactMap { $0.firstMatch(of: #/rel="(\w+)"/#).map { String($0.1) } }
        }
        #expect(try await rels(1) == ["last", "next"])
        #expect(total >= 5)
        #expect(try await rels(2) == ["first", "last", "next"])
        #expect(try await rels(3) == ["first", "prev", "last", "next"])
        #expect(try await rels(total) == ["first", "prev", "last"])
        let huge = try await Self.call(sandbox, .GET, "/rest/v1.0/projects?company_id=\(sandbox.configuration.companyID)&page=4611686018427387904", headers: headers)
        #expect(huge.status == 400, "an overflowing page is refused, not a crash")
    }

    @Test("the PCCO list takes the documented filters (id, contract_id, status, updated_at) and sort; Update takes change_order and ignores origin ids")
    func pccoFilters() async throws {
        let sandbox = try await Self.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let first = try sandbox.createApprovedPCCO(PCCOSpec(number: "101", sendToERP: false))
        let second = try sandbox.createApprovedPCCO(PCCOSpec(projectID: first.projectID, number: "102", sendToERP: false))
        let token = try await ProcoreClient(configuration: sandbox.clientConfiguration()).accessToken().revealed
        let headers = [("Authorization", "Bearer \(token)"), ("Procore-Company-Id", String(sandbox.configuration.companyID))]
        func ids(_ query: String) async throws -> [JSONValue?] {
            let reply = try await Self.call(sandbox, .GET, "/rest/v1.0/projects/\(first.projectID)/prime_change_orders?\(query)", headers: headers)
            guard case .array(let rows)? = reply.json else { Issue.record("\(query): \(reply.text)"); return [] }
            return rows.map { Self.field($0, "id") }
        }
        let both = [JSONValue.number(String(first.id)), .number(String(second.id))]
        #expect(try await ids("filters[id]=\(second.id)") == [both[1]])
        #expect(try await ids("filters[contract_id]=\(first.contractID)&sort=-id") == both.reversed())
        #expect(try await ids("filters[status]=void").isEmpty)
        #expect(try await ids("filters[updated_at]=2001-01-01T00:00:00Z...2001-01-02T00:00:00Z").isEmpty)
        #expect(try await ids("filters[status]=approved&filters[vendor_id]=5") == both, "a filter with nothing to match is ignored")
        let path = "/rest/v1.0/projects/\(first.projectID)/prime_change_orders/\(first.id)"
        let oldShape = try await Self.call(sandbox, .PATCH, path, headers: headers + [("Content-Type", "application/json")],
                                           body: #"{"prime_change_order": {"origin_id": "X"}}"#)
        #expect(oldShape.status == 400)
        let patched = try await Self.call(sandbox, .PATCH, path, headers: headers + [("Content-Type", "application/json")],
                                          body: #"{"change_order": {"title": "Renamed", "origin_id": "X", "origin_code": "Y"}}"#)
        #expect(patched.status == 200)
        #expect(Self.field(patched.json, "title") == .string("Renamed"))
        #expect(Self.field(patched.json, "origin_id") == .null, "origin_id is not among Update's documented fields")
    }

    /// The OpenAPI types of a documented PCCO (weigandconstruction/procore_python_sdk, docs/Default1.md
    /// "Base Prime Change Order": int, str, bool, date, datetime; grand_total a decimal string).
    enum Kind { case int, string, bool, date, dateTime, object, decimal }

    static func conforms(_ value: JSONValue?, _ kind: Kind, nullable: Bool) -> Bool {
        guard let value else { return false }
        if case .null = value { return nullable }
        switch (kind, value) {
        case (.int, .number(let text)): return Int(text) != nil
        case (.string, .string), (.bool, .bool), (.object, .object): return true
        case (.date, .string(let text)): return text.count == 10 && (try? CalendarDate(parsing: text)) != nil
        case (.dateTime, .string(let text)): return text.contains("T") && (try? Date(text, strategy: .iso8601)) != nil
        case (.decimal, .string(let text)): return (try? Money(parsing: text)) != nil
        default: return false
        }
    }

    static let pccoTypes: [(String, Kind, nullable: Bool)] = [
        ("id", .int, false), ("contract_id", .int, false), ("number", .string, false), ("title", .string, false),
        ("description", .string, true), ("status", .string, false), ("created_at", .dateTime, false), ("updated_at", .dateTime, false),
        ("reviewed_at", .dateTime, true), ("due_date", .date, true), ("paid_date", .date, true), ("invoiced_date", .date, true),
        ("signed_change_order_received_date", .date, true), ("revised_substantial_completion_date", .date, true),
        ("executed", .bool, false), ("paid", .bool, false), ("private", .bool, false), ("field_change", .bool, false),
        ("signature_required", .bool, false), ("revision", .int, false), ("schedule_impact_amount", .int, true),
        ("reference", .string, true), ("grand_total", .decimal, false), ("created_by", .object, false), ("custom_fields", .object, false),
    ]

    static func expectPCCOTypes(_ json: JSONValue?, _ label: String) {
        for (key, kind, nullable) in pccoTypes {
            let value = field(json, key)
            #expect(conforms(value, kind, nullable: nullable), "\(label): \(key) should be \(kind)\(nullable ? " or null" : ""), is \(String(describing: value))")
        }
        let by = field(json, "created_by")
        #expect(conforms(field(by, "id"), .int, nullable: false) && conforms(field(by, "name"), .string, nullable: false), "\(label): created_by \(String(describing: by))")
    }

    @Test("a PCCO's documented fields have their documented types in list, show and Update; Update keeps the documented fields and refuses a wrong type whole")
    func pccoFieldTypes() async throws {
        let sandbox = try await Self.sandbox()
        defer { Task { await sandbox.shutdown() } }
        let pcco = try sandbox.createApprovedPCCO(PCCOSpec(number: "301", sendToERP: false))
        let token = try await ProcoreClient(configuration: sandbox.clientConfiguration()).accessToken().revealed
        let headers = [("Authorization", "Bearer \(token)"), ("Procore-Company-Id", String(sandbox.configuration.companyID)),
                       ("Content-Type", "application/json")]
        let list = "/rest/v1.0/projects/\(pcco.projectID)/prime_change_orders", path = "\(list)/\(pcco.id)"
        let shown = try await Self.call(sandbox, .GET, path, headers: headers)
        Self.expectPCCOTypes(shown.json, "show")
        #expect(Self.field(shown.json, "reviewed_at") != .null, "an approved PCCO has been reviewed")
        if case .array(let rows)? = try await Self.call(sandbox, .GET, list, headers: headers).json {
            for row in rows { Self.expectPCCOTypes(row, "list") }
        } else {
            Issue.record("the list is not an array")
        }

        let patched = try await Self.call(sandbox, .PATCH, path, headers: headers, body: """
            {"change_order": {"number": "301-A", "due_date": "2026-03-01", "paid_date": null, "invoiced_date": "2026-02-15",
             "revision": 2, "paid": true, "private": true, "executed": true, "schedule_impact_amount": 5, "reference": "RFI 12"}}
            """)
        #expect(patched.status == 200, "\(patched.text)")
        Self.expectPCCOTypes(patched.json, "updated")
        let again = try await Self.call(sandbox, .GET, path, headers: headers)
        let expected: [(String, JSONValue)] = [("number", .string("301-A")), ("due_date", .string("2026-03-01")), ("paid_date", .null),
                                               ("invoiced_date", .string("2026-02-15")), ("revision", .number("2")), ("paid", .bool(true)),
                                               ("private", .bool(true)), ("executed", .bool(true)), ("schedule_impact_amount", .number("5")),
                                               ("reference", .string("RFI 12"))]
        for (key, value) in expected { #expect(Self.field(again.json, key) == value, "\(key) after Update") }
        let executed = try await Self.call(sandbox, .GET, "\(list)?filters[executed]=true", headers: headers)
        #expect(executed.json == .array([again.json ?? .null]), "filters[executed] sees the Update")

        let wrong = try await Self.call(sandbox, .PATCH, path, headers: headers,
                                        body: #"{"change_order": {"title": "Not applied", "revision": "two"}}"#)
        #expect(wrong.status == 422)
        #expect(wrong.text.contains("change_order.revision"), "the error names the field: \(wrong.text)")
        let badDate = try await Self.call(sandbox, .PATCH, path, headers: headers, body: #"{"change_order": {"due_date": "03/01/2026"}}"#)
        #expect(badDate.status == 422 && badDate.text.contains("change_order.due_date"), "\(badDate.text)")
        let after = try await Self.call(sandbox, .GET, path, headers: headers)
        #expect(Self.field(after.json, "title") == Self.field(again.json, "title"), "a refused Update changes nothing")
        #expect(Self.field(after.json, "revision") == .number("2"))
    }

    @Test("rate-limit headers report the window most likely to be exceeded first", arguments: [(3_600, 25, "25"), (3, 25, "3")])
    func bindingWindow(_ limits: (hourly: Int, spike: Int, reported: String)) async throws {
        let sandbox = try await Self.sandbox { $0.rateLimit = limits.hourly; $0.spikeLimit = limits.spike }
        defer { Task { await sandbox.shutdown() } }
        let token = try await ProcoreClient(configuration: sandbox.clientConfiguration()).accessToken().revealed
        let reply = try await Self.call(sandbox, .GET, "/rest/v1.0/projects?company_id=\(sandbox.configuration.companyID)",
                                        headers: [("Authorization", "Bearer \(token)")])
        #expect(reply.headers.first(name: "X-Rate-Limit-Limit") == limits.reported)
        #expect(reply.headers.first(name: "X-Rate-Limit-Remaining") == String(Int(limits.reported)! - 1))
    }

    @Test("hooks and triggers registered through the webhooks API get Procore's payload, retried with backoff until answered")
    func webhooksAPI() async throws {
        let receiver = try WebhookReceiver(statuses: [500, 503, 200])
        defer { receiver.stop() }
        let sandbox = try await Self.sandbox { $0.webhookRetryBase = 0.05 }
        defer { Task { await sandbox.shutdown() } }
        let companyID = sandbox.configuration.companyID
        // Imported before the hook exists: their create_job_in_procore requests are not delivered to it.
        try await sandbox.importSampleJobs(1)
        let token = try await ProcoreClient(configuration: sandbox.clientConfiguration()).accessToken().revealed
        let headers = [("Authorization", "Bearer \(token)"), ("Procore-Company-Id", String(companyID)), ("Content-Type", "application/json")]
        let hook = try await Self.call(sandbox, .POST, "/rest/v1.0/webhooks/hooks", headers: headers, body: """
            {"company_id": \(companyID), "hook": {"api_version": "v2", "namespace": "tieline-hub",
             "destination_url": "\(receiver.url)", "destination_headers": {"Authorization": "Bearer hook-secret"}}}
            """)
        #expect(hook.status == 201, "\(hook.text)")
        #expect(!hook.text.contains("hook-secret"), "header values are never shown back")
        guard case .number(let hookID)? = Self.field(hook.json, "id") else { Issue.record("no hook id"); return }
        let bad = try await Self.call(sandbox, .POST, "/rest/v1.0/webhooks/hooks", headers: headers,
                                      body: #"{"company_id": \#(companyID), "hook": {"namespace": "Bad Name", "destination_url": "https://x"}}"#)
        #expect(bad.status == 422)
        let trigger = try await Self.call(sandbox, .POST, "/rest/v1.0/webhooks/hooks/\(hookID)/triggers", headers: headers,
                                          body: #"{"company_id": \#(companyID), "api_version": "v2", "trigger": {"resource_name": "ERP Requests", "event_type": "create"}}"#)
        #expect(trigger.status == 201, "\(trigger.text)")

        let pcco = try sandbox.createApprovedPCCO()
        let deadline = ContinuousClock.now + .seconds(10)
        while receiver.received.count < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let received = receiver.received
        #expect(received.count == 3, "two failures, then delivered")
        #expect(received.allSatisfy { $0.headers["authorization"] == "Bearer hook-secret" })
        let event = try JSONValue.parse(received.last?.body ?? Data())
        for key in ["id", "ulid", "timestamp", "metadata", "user_id", "company_id", "project_id", "api_version", "event_type", "resource_name", "resource_id"] {
            #expect(Self.field(event, key) != nil, "\(key) is missing")
        }
        if case .string(let ulid)? = Self.field(event, "ulid") { #expect(ulid.count == 26) }
        #expect(Self.field(event, "resource_name") == .string("ERP Requests"))
        #expect(Self.field(event, "project_id") == .number(String(pcco.projectID)))
        #expect(Self.field(event, "api_version") == .string("v2.0"))
        let deliveries = try await Self.call(sandbox, .GET, "/rest/v1.0/webhooks/hooks/\(hookID)/deliveries?company_id=\(companyID)&filter[status]=successful",
                                             headers: headers)
        guard case .array(let list)? = deliveries.json, let first = list.first else { Issue.record("\(deliveries.text)"); return }
        #expect(Self.field(first, "outcome") == .string("ok"))
        #expect(Self.field(first, "attempts") == .number("3"))
        #expect(Self.field(first, "response_status") == .number("200"))
    }

    @Test("webhook retries wait 1, 2, 4… seconds up to an hour on the sandbox's clock; after 12 hours the hook's queue is flushed and discarded")
    func webhookBackoffAndDiscard() async throws {
        let receiver = try WebhookReceiver(statuses: [500])
        defer { receiver.stop() }
        let clock = VirtualClock()
        let sandbox = try await Self.sandbox { $0.clock = clock }
        defer { Task { await sandbox.shutdown() } }
        sandbox.setWebhook(SandboxWebhook(url: receiver.url, token: "hook-secret"))
        // Two events back to back: the second waits in the hook's queue behind the failing first.
        let first = sandbox.requestStaging("sync_jobs")
        sandbox.requestStaging("sync_prime_contracts")
        let deadline = ContinuousClock.now + .seconds(20)
        while sandbox.webhookDeliveriesPending > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(sandbox.webhookDeliveriesPending == 0, "both deliveries were settled")

        let waits = clock.sleeps.map(\.timeInterval)
        #expect(Array(waits.prefix(6)) == [1, 2, 4, 8, 16, 32], "exponential from 1 second: \(waits)")
        #expect(zip(waits, waits.dropFirst()).allSatisfy { $1 == min($0 * 2, 3600) }, "each wait doubles up to the hour: \(waits)")
        #expect(waits.last == 3600)
        let total = waits.reduce(0, +)
        #expect(total <= 12 * 3600 && total + 3600 > 12 * 3600, "retried for 12 hours, not longer: \(total) s")
        #expect(receiver.received.count == waits.count + 1, "one attempt more than waits, and none for the flushed event")

        // The token is asked for now: the sandbox's clock has moved 12 hours.
        let token = try await ProcoreClient(configuration: sandbox.clientConfiguration()).accessToken().revealed
        let headers = [("Authorization", "Bearer \(token)"), ("Procore-Company-Id", String(sandbox.configuration.companyID))]
        let hooks = try await Self.call(sandbox, .GET, "/rest/v1.0/webhooks/hooks?namespace=tieline-sandbox", headers: headers)
        guard case .array(let found)? = hooks.json, case .number(let hookID)? = Self.field(found.first, "id") else {
            Issue.record("no hook: \(hooks.text)"); return
        }
        let discarded = try await Self.call(sandbox, .GET, "/rest/v1.0/webhooks/hooks/\(hookID)/deliveries?filter[status]=discarded", headers: headers)
        guard case .array(let list)? = discarded.json else { Issue.record("\(discarded.text)"); return }
        #expect(list.count == 2, "the failing delivery and the one queued behind it: \(discarded.text)")
        #expect(Self.field(list.first, "attempts") == .number(String(waits.count + 1)))
        #expect(Self.field(list.first, "response_status") == .number("500"))
        #expect(Self.field(list.last, "attempts") == .number("0"), "flushed without an attempt")
        let firstEvent = try JSONValue.parse(receiver.received.first?.body ?? Data())
        #expect(receiver.received.allSatisfy { (try? JSONValue.parse($0.body)) == firstEvent }, "only the first event was ever sent")
        #expect(Self.field(firstEvent, "resource_id") != nil && first > 0)
    }

    @Test("an ERP request carries every field of the dictionary's create_prime_contract_change_order example")
    func erpRequestFields() async throws {
        let sandbox = try await Self.sandbox()
        defer { Task { await sandbox.shutdown() } }
        try await sandbox.importSampleJobs(1)
        _ = try sandbox.createApprovedPCCO()
        let token = try await ProcoreClient(configuration: sandbox.clientConfiguration()).accessToken().revealed
        let reply = try await Self.call(sandbox, .GET, "/rest/v1.0/companies/\(sandbox.configuration.companyID)/erp_requests",
                                        headers: [("Authorization", "Bearer \(token)")])
        guard case .array(let requests)? = reply.json, let data = Self.field(requests.last, "request_data") else {
            Issue.record("no ERP request: \(reply.text)"); return
        }
        let documented = String(decoding: try Fixtures.data("create_prime_contract_change_order.documented-fields.txt"), as: UTF8.self)
            .split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") && !$0.isEmpty }
        #expect(documented.count > 200)
        /// Whether `path` is present; a list on the way that is empty has nothing to show and counts as present.
        func present(_ value: JSONValue?, _ parts: ArraySlice<Substring>) -> Bool {
            guard let first = parts.first else { return value != nil }
            if first == "[]" {
                guard case .array(let items)? = value else { return false }
                return items.isEmpty || items.allSatisfy { present($0, parts.dropFirst()) }
            }
            guard case .object(let fields)? = value else { return false }
            return present(fields[String(first)], parts.dropFirst())
        }
        let missing = documented.filter { !present(data, $0.split(separator: ".")[...]) }
        #expect(missing.isEmpty, "\(missing)")
        // The amounts Procore derives are the contract's own, not placeholders.
        let contract = Self.field(data, "prime_contract")
        #expect(Self.field(contract, "revised_contract_amount") != .null)
        #expect(Self.field(contract, "revised_contract_amount") == Self.field(contract, "pending_revised_contract_amount"))
    }

    @Test("Tieline's own client runs the conformance steps: token, companies, projects, PCCOs one per page, a 429 and a 503")
    func ownClientConformance() async throws {
        try await Harness.with(perPage: 1) { h in
            let first = try h.sandbox.createApprovedPCCO(PCCOSpec(number: "901", sendToERP: false))
            for number in ["902", "903"] { _ = try h.sandbox.createApprovedPCCO(PCCOSpec(projectID: first.projectID, number: number, sendToERP: false)) }
            let company = String(h.sandbox.configuration.companyID)
            #expect(try await h.client.getAll("/rest/v1.0/companies").count == 1)
            for (path, query) in [("/rest/v1.0/projects", [("company_id", company)]), ("/rest/v1.1/projects", [("company_id", company)]),
                                  ("/rest/v1.0/companies/\(company)/projects", [])] {
                #expect(try await h.client.getAll(path, query: query).count == h.sandbox.projects.count, "\(path)")
            }
            var faults = SandboxFaults()
            faults.rateLimitBurst = 1
            faults.unavailableBurst = 1
            h.sandbox.setFaults(faults)
            let pccos = try await h.client.getAll("/rest/v1.0/projects/\(first.projectID)/prime_change_orders")
            #expect(pccos.count == 3)
            let shown = try await h.client.getJSON("/rest/v1.0/projects/\(first.projectID)/prime_change_orders/\(first.id)")
            for key in ["created_by", "reviewed_at", "due_date", "paid", "private", "revision", "custom_fields", "executed", "grand_total"] {
                #expect(Self.field(shown, key) != nil, "\(key)")
            }
            #expect(h.sandbox.faults.rateLimitBurst == 0 && h.sandbox.faults.unavailableBurst == 0, "both faults were met and survived")
            // Paged for real: the list was answered one PCCO a page, pages 1 to 3, each following the Link.
            let pages = h.sandbox.servedPages.filter { $0.path == "/rest/v1.0/projects/\(first.projectID)/prime_change_orders" }
            #expect(pages.map(\.page) == [1, 2, 3], "\(pages)")
            #expect(pages.allSatisfy { $0.perPage == 1 && $0.total == 3 }, "\(pages)")
        }
    }
}
