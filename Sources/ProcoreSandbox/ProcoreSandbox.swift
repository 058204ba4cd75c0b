import Foundation
import Hummingbird
import Logging
import Procore
import ServerSupport
import TielineCore

/// How to start a sandbox.
public struct SandboxConfiguration: Sendable {
    /// Address to bind; loopback by default.
    public var host = "127.0.0.1"
    /// 0 picks a free port.
    public var port = 0
    /// The Procore company the sandbox serves.
    public var companyID = 4_201
    /// OAuth credentials the token endpoint accepts.
    public var clientID = "tieline-sandbox-client"
    public var clientSecret = "tieline-sandbox-secret"
    /// Seconds an access token lives: 5400 (1.5 hours) as Procore documents; shorten it to test expiry and refresh.
    public var tokenLifetime = 5_400
    /// Answer every token request with a `refresh_token` too (Procore's authorization-code tokens carry one;
    /// its client-credentials example does not).
    public var issueRefreshTokens = false
    /// Requests allowed per rate-limit window, and the window's length in seconds.
    public var rateLimit = 3_600
    public var rateLimitWindow = 3_600.0
    /// Procore's spike limit: at most this many requests per `spikeWindow` seconds (0 = off).
    /// Its 429 carries the spike window's own reset, which the headers of earlier answers do not show.
    public var spikeLimit = 0
    public var spikeWindow = 10.0
    /// The first wait before a failed webhook delivery is sent again; it doubles up to an hour, and after
    /// 12 hours of failures (on `clock`) the hook's queue is flushed and its events discarded (plan_your_app/webhooks.md).
    public var webhookRetryBase = 1.0
    /// Seed for ids, origin ids and generated PCCOs: the same seed gives the same sandbox.
    public var seed: UInt64 = 1
    /// Projects made in Procore (not linked to an ERP), each with a prime contract: something for clients that
    /// list projects and PCCOs, and for the public-API path. Sage's jobs arrive only as staged records that are imported.
    public var syntheticProjects = 3
    /// The sandbox's clock (shared with a client's in tests so windows pass instantly).
    public var clock: any TielineClock = SystemClock()
    /// The HTTP server's own log level; shutdown and dropped connections log errors below `.critical`.
    public var serverLogLevel: Logger.Level = .critical

    /// The defaults: loopback, free port, seed 1, three projects made in Procore and none linked to Sage.
    public init() {}
}

/// A loopback stand-in for Procore's cloud: OAuth, projects, prime contracts, PCCOs, ERP requests.
public final class ProcoreSandbox: Sendable {
    /// `http://host:port` of the running server.
    public let baseURL: URL
    /// What the sandbox was started with.
    public let configuration: SandboxConfiguration
    let store: SandboxStore
    let server: RunningServer
    let webhooks: WebhookSender
    let webhookResults: SandboxCounters

    init(baseURL: URL, configuration: SandboxConfiguration, store: SandboxStore, server: RunningServer,
         webhooks: WebhookSender, webhookResults: SandboxCounters) {
        self.baseURL = baseURL
        self.configuration = configuration
        self.store = store
        self.server = server
        self.webhooks = webhooks
        self.webhookResults = webhookResults
    }

    /// Seeds and starts a sandbox, returning once it accepts connections.
    public static func start(_ configuration: SandboxConfiguration = SandboxConfiguration(),
                             logger: Logger = Logger(label: "tieline.procore-sandbox")) async throws -> ProcoreSandbox {
        var data = SandboxData(companyID: configuration.companyID, seed: configuration.seed)
        // Sage's jobs and contracts reach it only as the integration stages them (ERP Staged Records) and they are imported.
        data.seedProcoreProjects(configuration.syntheticProjects)
        let store = SandboxStore(data)
        let counters = SandboxCounters()
        let webhooks = WebhookSender(retryBase: configuration.webhookRetryBase, clock: configuration.clock) { id, status, error, outcome in
            if outcome != "flushed" { counters.record(outcome == "ok") }
            store.with { $0.recordDelivery(id, status: status, error: error, outcome: outcome) }
        }
        store.deliver = { webhooks.send($0) }
        let responder = SandboxResponder(store: store, configuration: configuration)
        var quiet = logger
        quiet.logLevel = configuration.serverLogLevel
        let server: RunningServer
        do {
            server = try await RunningServer.start("the Procore sandbox", host: configuration.host, port: configuration.port,
                                                   serverName: "procore-sandbox", responder: responder,
                                                   services: [webhooks], logger: quiet, notListening: .invalidInput)
        } catch {
            webhooks.stop()
            throw TielineError(.invalidInput, "the Procore sandbox could not listen on \(configuration.host):\(configuration.port)")
        }
        let url = URL(string: server.baseURL)!
        return ProcoreSandbox(baseURL: url, configuration: configuration, store: store, server: server, webhooks: webhooks, webhookResults: counters)
    }

    /// Stops the server (letting requests in flight finish) and waits for it to close.
    public func shutdown() async {
        webhooks.stop()
        try? await server.shutdown()
    }

    /// Waits until the server stops (for `tieline procore-sandbox serve`).
    public func waitUntilStopped() async throws { try await server.waitUntilStopped() }

    /// A client configuration pointing at this sandbox with its credentials.
    public func clientConfiguration(perPage: Int = 100) -> ProcoreConfiguration {
        ProcoreConfiguration(endpoints: .local(baseURL), companyID: configuration.companyID, clientID: configuration.clientID,
                             clientSecret: ProcoreSecret(configuration.clientSecret), perPage: perPage)
    }

    // MARK: Inspection and control

    /// API requests served (OAuth and /sandbox control calls excluded).
    public var requestCount: Int { store.with { $0.requestCount } }
    /// Requests refused by the spike limit.
    public var spikeLimitedCount: Int { store.with { $0.spikeLimitedCount } }
    /// Requests refused because the real rate-limit window was exceeded (fault 429s excluded).
    public var rateLimitedCount: Int { store.with { $0.rateLimitedCount } }
    /// `METHOD /path` of every API request, in order.
    public var requestLog: [String] { store.with { $0.requestLog } }
    /// Every list page answered, in order (also `GET /sandbox/served_pages`).
    public var servedPages: [SandboxServedPage] { store.with { $0.pagesServed } }
    /// The switchable faults; set them to make the next requests misbehave.
    public var faults: SandboxFaults {
        get { store.with { $0.faults } }
    }
    /// Replaces the faults.
    public func setFaults(_ faults: SandboxFaults) { store.with { $0.faults = faults } }
    /// What "Ready to Import" shows: staged projects and prime contracts (of synced projects).
    public var readyToImport: [(id: Int, itemType: String, originID: String, originCode: String?)] {
        store.with { $0.readyToImport.map { ($0.id, $0.itemType, $0.originID, $0.originCode) } }
    }

    /// Every staged record: type, origin id and code, status, and its `data`.
    public var stagedRecords: [(itemType: String, originID: String, originCode: String?, status: String, data: JSONValue)] {
        store.with { $0.stagedRecords.map { ($0.itemType, $0.originID, $0.originCode, $0.status, $0.data) } }
    }

    /// Imports everything on Ready to Import, as an accountant clicking Import would; returns how many.
    @discardableResult
    public func importAll() throws(TielineError) -> Int {
        let now = configuration.clock.now()
        return try store.with { data throws(TielineError) in try data.importAll(now: now) }
    }

    /// Queues an ERP request that asks the integration to stage (`sync_jobs`, `sync_prime_contracts`), as the
    /// ERP tool's sync buttons do; returns its request detail id.
    @discardableResult
    public func requestStaging(_ name: String) -> Int {
        let now = configuration.clock.now()
        return store.with { data in
            let detail = data.newID()
            _ = data.enqueueERPRequest(name: name, data: .object(["request_detail_id": .number(String(detail)), "company_id": .number(String(data.companyID))]),
                                       requestDetailID: detail, projectID: nil, now: now)
            return detail
        }
    }

    /// Queues `sync_single_job` for an imported project, in the ERP Events Dictionary's shape (its origin id in `id`,
    /// `additional_job_data`, no request detail), as Procore sends it from time to time; returns the ERP request id.
    @discardableResult
    public func requestSingleJobSync(projectID: Int) throws(TielineError) -> Int {
        let now = configuration.clock.now()
        return try store.with { data throws(TielineError) in
            guard let project = data.project(projectID), let origin = project.originID else {
                throw TielineError(.notFound, "project \(projectID) is not linked to an ERP job")
            }
            let extra: JSONValue = .object(["job_name": .string(project.name), "procore_project_id": SandboxData.num(project.id),
                                            "project_id": SandboxData.num(project.id), "start_date": .null,
                                            "job_cost_transactions_sync_enabled": .bool(false)])
            return data.enqueueERPRequest(name: "sync_single_job", data: .object(["id": .string(origin), "additional_job_data": extra,
                                                                                  "company_id": SandboxData.num(data.companyID)]),
                                          requestDetailID: nil, projectID: project.id, now: now)
        }
    }

    /// A project with a prime contract made in Procore itself, with no origin codes (never linked to an ERP);
    /// `items` are (description, amount, cost code, line item type code). Returns the ids.
    @discardableResult
    public func addUnlinkedProject(name: String, items: [(String, Money, String, String)]) -> (projectID: Int, contractID: Int, itemIDs: [Int]) {
        store.with { data in
            let project = SandboxProject(id: data.newID(), name: name, originID: nil, originCode: nil)
            data.projects.append(project)
            let lines = items.map { item in
                SandboxContractItem(id: data.newID(), description: item.0, amount: item.1, originCode: nil,
                                    costCodeID: data.costCode(projectID: project.id, fullCode: item.2, name: item.2),
                                    lineItemTypeID: data.lineItemType(code: item.3, name: item.3))
            }
            let contract = SandboxPrimeContract(id: data.newID(), projectID: project.id, number: "PC-\(project.id)", title: "\(name) prime",
                                                status: "Approved", originID: nil, originCode: nil, items: lines)
            data.contracts.append(contract)
            return (project.id, contract.id, lines.map(\.id))
        }
    }

    /// Webhook deliveries not yet answered with a 2xx (queued, or failing and to be retried).
    public var webhookDeliveriesPending: Int { store.with { $0.deliveries.filter { $0.status == "pending" || $0.status == "failing" }.count } }

    /// The destinations of hooks that fire on ERP Requests create events, and their namespaces.
    public var erpRequestHooks: [(namespace: String, url: String)] {
        store.with { data in
            data.hooks.filter { $0.triggers.contains { $0.resourceName == "ERP Requests" && $0.eventType == "create" } }
                .map { ($0.namespace, $0.destinationURL) }
        }
    }

    /// Access tokens issued so far.
    public var issuedTokenCount: Int { store.with { $0.tokens.count } }
    /// Makes every issued token expire now, so the next call gets a 401.
    public func expireTokens() { store.with { data in for k in data.tokens.keys { data.tokens[k] = .distantPast } } }
    /// Every project, linked or not.
    public var projects: [SandboxProject] { store.with { $0.projects } }
    /// Every prime contract with its line items.
    public var primeContracts: [SandboxPrimeContract] { store.with { $0.contracts } }
    /// Calls `hook` for every new ERP request, as a Procore webhook on ERP Requests create events does (nil: none).
    public func setWebhook(_ hook: SandboxWebhook?) {
        store.with { data in
            // The shortcut's hook lives in its own namespace, as one registered through the hooks API would;
            // nil removes every hook (no webhooks at all).
            data.hooks.removeAll { hook == nil || $0.namespace == SandboxWebhook.namespace }
            guard let hook else { return }
            var created = SandboxHook(id: data.newID(), namespace: SandboxWebhook.namespace, companyID: data.companyID, projectID: nil,
                                      apiVersion: "v2", destinationURL: hook.url, destinationHeaders: ["Authorization": "Bearer \(hook.token)"])
            created.triggers.append((data.newID(), "ERP Requests", "create"))
            data.hooks.append(created)
        }
    }
    /// Webhook deliveries answered 2xx, and those that failed.
    public var webhookDeliveries: (delivered: Int, failed: Int) { webhookResults.values }
    /// Every PCCO, with its current origin ids.
    public var changeOrders: [SandboxPCCO] { store.with { $0.pccos } }
    /// ERP requests enqueued so far.
    public var erpRequests: [SandboxERPRequest] { store.with { $0.erpRequests } }
    /// Every ERP External Data update received, in order.
    public var externalUpdates: [SandboxExternalUpdate] { store.with { $0.externalUpdates } }
    /// A request detail by id.
    public func requestDetail(_ id: Int) -> SandboxRequestDetail? { store.with { $0.requestDetails[id] } }

    /// Creates an approved PCCO and, sent to ERP (`spec.sendToERP`, only on a contract imported from Ready to Import),
    /// enqueues its `create_prime_contract_change_order` ERP request.
    @discardableResult
    public func createApprovedPCCO(_ spec: PCCOSpec = PCCOSpec()) throws(TielineError) -> SandboxPCCO {
        let now = configuration.clock.now()
        return try store.with { data throws(TielineError) in try data.createPCCO(spec, now: now).0 }
    }

    /// Queues a whole ERP request document as if Procore had sent it (see `POST /sandbox/erp_requests`).
    @discardableResult
    public func enqueueERPRequest(_ document: JSONValue) throws(TielineError) -> Int {
        let now = configuration.clock.now()
        return try store.with { data throws(TielineError) in try data.enqueueERPRequest(document: document, now: now) }
    }

    /// Adds a project (linked when `originCode` is set), for tests of project discovery.
    @discardableResult
    public func addProject(name: String, originCode: String?) -> SandboxProject {
        store.with { data in
            let p = SandboxProject(id: data.newID(), name: name, originID: originCode == nil ? nil : data.newOriginID(), originCode: originCode)
            data.projects.append(p)
            return p
        }
    }
}
