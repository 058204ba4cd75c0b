import Agent
import Foundation
import ConsoleSupport
import Hub
import HubConsole
import Logging
import Procore
import ProcoreSandbox
import SageStore
import SageModel
import SyncCore
import TielineCore

/// Everything of a PCCO export on loopback, in one process: a Sage company, the hub (SQLite), a Procore
/// sandbox that starts without the company's jobs (the hub stages them; `stageAndImport` imports them),
/// and an agent set up as the setup guide says.
/// `tieline demo`, `tieline-bench export` and the end-to-end tests run on it.
public final class ExportStack: Sendable {
    public let folder: URL
    public let company: SageCompany
    public let companyPath: String
    public let storage: SQLiteHubStorage
    public let hub: HubServer
    public let site: HubSite
    public let sandbox: ProcoreSandbox
    public let agentHome: TielineHome
    public static let siteName = "demo-construction"
    public static let connectionName = "Sage"

    init(folder: URL, company: SageCompany, companyPath: String, storage: SQLiteHubStorage, hub: HubServer, site: HubSite,
         sandbox: ProcoreSandbox, agentHome: TielineHome) {
        self.folder = folder
        self.company = company
        self.companyPath = companyPath
        self.storage = storage
        self.hub = hub
        self.site = site
        self.sandbox = sandbox
        self.agentHome = agentHome
    }

    /// Options for `start`.
    public struct Options: Sendable {
        public var jobs = 20
        public var transactions = 20_000
        public var hubPort = 0
        public var sandboxPort = 0
        /// Procore poll period; webhooks make new PCCOs arrive sooner.
        public var pollSeconds = 60
        public var exportLease: TimeInterval = 60
        public var style = ProcoreLink.Style.erpRequests
        /// ERP requests wait for the hub's Accept too (`hub sites procore --hub-approval`).
        public var hubApproval = false
        public var logLevel = Logger.Level.error
        /// Serve the hub's web console, with this approver (name, password) signed up.
        public var consoleApprover: (name: String, password: String)?
        public init() {}
    }

    /// Builds the company under `folder` (replacing what was there), starts hub and sandbox, links
    /// them, and sets the agent up: Connect, a Local Connection, the PCCO export preset, Deep from
    /// The beginning of time.
    public static func start(folder: URL, options: Options = Options()) async throws -> ExportStack {
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let companyPath = folder.appendingPathComponent("company.sqlite").path
        // Seconds of synchronous SQLite work: off Swift's cooperative threads, which the servers need.
        let company = try await Offload.run {
            try SampleCompanyGenerator.create(at: companyPath, spec: SampleCompanySpec(jobs: options.jobs, transactions: options.transactions, seed: 7))
        }
        var logger = Logger(label: "tieline.demo")
        logger.logLevel = options.logLevel

        var sandboxConfiguration = SandboxConfiguration()
        sandboxConfiguration.port = options.sandboxPort
        // Procore starts without Sage's jobs: they reach it as staged records the hub offers and an accountant imports.
        sandboxConfiguration.syntheticProjects = 0
        sandboxConfiguration.rateLimit = 1_000_000
        let sandbox = try await ProcoreSandbox.start(sandboxConfiguration, logger: logger)

        let storage = try SQLiteHubStorage(path: folder.appendingPathComponent("hub.sqlite").path)
        let secrets = try HubSecretBox.load(keyFile: folder.appendingPathComponent("hub-secret.key"))
        let token = try await storage.addSite(siteName)
        let procore = sandbox.clientConfiguration()
        let webhookToken = SiteToken.generate()
        var link = ProcoreLink(baseURL: sandbox.baseURL.absoluteString, companyID: procore.companyID, clientID: procore.clientID,
                               sealedSecret: try secrets.seal(procore.clientSecret.revealed), style: options.style,
                               pollSeconds: options.pollSeconds, webhookTokenHash: SiteToken.hash(webhookToken))
        link.hubApproval = options.hubApproval
        try await storage.linkProcore(link, site: siteName)
        let hub: HubServer
        do {
            let console: HubConsole?
            if let approver = options.consoleApprover {
                let hasher = PasswordHasher()
                _ = try await storage.addConsoleUser(site: siteName, name: approver.name, role: .approver,
                                                     passwordHash: try await hasher.hash(approver.password))
                console = HubConsole(storage: storage, accounts: storage, hasher: hasher)
            } else {
                console = nil
            }
            hub = try await HubServer.start(storage: storage, port: options.hubPort,
                                            configuration: HubConfiguration(exportLease: options.exportLease, secrets: secrets), logger: logger) { router, queue in
                console?.install(on: router, queue: queue)
            }
        } catch {
            await sandbox.shutdown()
            throw error
        }
        let site = try await storage.sites().first { $0.name == siteName }!
        // Procore calls the hub's webhook for every new ERP request, so PCCOs arrive at once: registered
        // through Procore's Webhooks API, as `hub sites procore --webhook-url` does.
        _ = try await ProcoreIntake(client: ProcoreClient(configuration: procore, logger: logger))
            .registerWebhook(destination: hub.baseURL + "/procore/webhook", token: webhookToken)

        let agentHome = TielineHome(url: folder.appendingPathComponent("agent"))
        let store = AgentConfigStore(home: agentHome)
        _ = try store.connect(url: hub.baseURL, site: siteName, token: token)
        _ = try store.addConnection(name: connectionName, sagePath: companyPath)
        _ = try store.applyPCCOPreset(connection: connectionName, strict: false, dryRun: false)
        _ = try store.setSyncSettings(connection: connectionName, type: .deep, timeframe: .beginningOfTime)
        return ExportStack(folder: folder, company: company, companyPath: companyPath, storage: storage, hub: hub, site: site,
                           sandbox: sandbox, agentHome: agentHome)
    }

    /// Waits for the PCCO to be queued by the hub (the sandbox's webhook triggers the poll).
    public func arrival(of pccoID: Int) async throws -> HubExport {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let id = try await storage.exportID(pccoID: pccoID, site: site) {
                return try await hub.queue.record(id: id, site: site)
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TielineError(.internalError, "the PCCO did not reach the hub's export queue within 30 s")
    }

    /// Procore's ERP tool asks for Sage's jobs and prime contracts (sync_jobs, sync_prime_contracts); the hub stages
    /// them from its mirror; the accountant imports everything on Ready to Import. Returns how many were imported.
    @discardableResult
    public func stageAndImport(timeout: Duration = .seconds(30)) async throws -> Int {
        if let link = try await storage.procoreLink(site: site), link.style == .publicAPI {
            // A public-API site gets no ERP requests: stage directly.
            guard let bridge = hub.bridge else { throw TielineError(.conflict, "the hub runs without its Procore bridge") }
            _ = try await bridge.stageNow(.jobs, site: site)
            _ = try await bridge.stageNow(.primeContracts, site: site)
            return try sandbox.importAll()
        }
        let details = [sandbox.requestStaging("sync_jobs"), sandbox.requestStaging("sync_prime_contracts")]
        let deadline = ContinuousClock.now + timeout
        try await settle(until: deadline) { details.contains { self.sandbox.requestDetail($0)?.status == "pending" } }
        for detail in details where sandbox.requestDetail(detail)?.status != "success" {
            throw TielineError(.conflict, "staging failed: \(sandbox.requestDetail(detail)?.messages.joined(separator: "; ") ?? "no answer")")
        }
        let imported = try sandbox.importAll()
        // Each new project sends create_job_in_procore: settled once the hub has read them too.
        try await settle(until: deadline) { false }
        return imported
    }

    /// Waits until `pending` is false, every webhook delivery is answered and the polls they woke are done
    /// (the webhook brings Procore's ERP requests to the hub).
    func settle(until deadline: ContinuousClock.Instant, _ pending: () -> Bool) async throws {
        while pending() || sandbox.webhookDeliveriesPending > 0 || hub.bridge?.isIdle(site: site) == false {
            guard ContinuousClock.now < deadline else { throw TielineError(.conflict, "the hub did not answer Procore's ERP requests in time") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Runs the connection's sync with its saved Settings (Deep, The beginning of time).
    public func sync(onEvent: @escaping @Sendable (SyncEvent) -> Void = { _ in }) async throws -> SyncRunRecord {
        let store = AgentConfigStore(home: agentHome)
        let config = try store.load()
        let token = try store.loadToken() ?? ""
        let connection = try config.connection(Self.connectionName)
        let runner = SyncRunner(state: try AgentState.open(home: agentHome), destination: HubClient(url: hub.baseURL, token: token),
                                options: SyncOptions(destinationName: "hub at \(hub.baseURL)"), onEvent: onEvent)
        return try await runner.run(SyncRequest(connection: connection))
    }

    /// Runs `body` with the agent's export worker beside it as a child task; when `body` ends (or
    /// throws) the worker is asked to stop and awaited, so nothing outlives the call.
    public func withAgent<T: Sendable>(onEvent: @escaping @Sendable (ExportWorker.ExportEvent) -> Void = { _ in },
                                       _ body: () async throws -> T) async throws -> T {
        var logger = Logger(label: "tieline.agent.exports")
        logger.logLevel = .error
        let worker = ExportWorker(home: agentHome, wait: 10, logger: logger, onEvent: onEvent)
        let stop = StopSignal()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await worker.run(until: stop) }
            do {
                let result = try await body()
                stop.request()
                try await group.waitForAll()
                return result
            } catch {
                stop.request()
                try? await group.waitForAll()
                throw error
            }
        }
    }

    /// Polls Procore for the site now (what a webhook delivery triggers).
    public func pollProcore() async throws {
        guard let bridge = hub.bridge, let link = try await storage.procoreLink(site: site) else { return }
        await bridge.poll(LinkedSite(site: site, link: link))
    }

    /// Waits until the export reaches one of `statuses` (or `timeout` passes; then its current state).
    public func waitFor(export id: Int64, _ statuses: Set<ExportStatus>, timeout: Duration = .seconds(30),
                        every interval: Duration = .milliseconds(2)) async throws -> HubExport {
        let deadline = ContinuousClock.now + timeout
        while true {
            let record = try await hub.queue.record(id: id, site: site)
            if statuses.contains(record.status) || ContinuousClock.now >= deadline { return record }
            try await Task.sleep(for: interval)
        }
    }

    /// Stops the hub and the sandbox.
    public func shutdown() async {
        try? await hub.shutdown()
        await sandbox.shutdown()
    }
}
