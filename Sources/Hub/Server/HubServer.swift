import Foundation
import Hummingbird
import Logging
import ServerSupport
import ServiceLifecycle
import TielineCore

/// Limits and identity of a hub server.
public struct HubConfiguration: Sendable {
    /// The largest batch body accepted (413 beyond).
    public var maxBatchBytes: Int
    public var serverName: String
    /// How long an agent holds an export before it may be delivered again (its agent died).
    public var exportLease: TimeInterval
    /// Opens sites' Procore client secrets; without it linked sites are not polled.
    public var secrets: HubSecretBox?
    /// Run the Procore bridge (polling, webhooks, write-back).
    public var procore: Bool
    /// Batches decoded and applied at once; more wait their turn, which bounds the hub's memory.
    public var batchesAtOnce: Int

    public init(maxBatchBytes: Int = 64 << 20, serverName: String = "tieline-hub", exportLease: TimeInterval = 60,
                secrets: HubSecretBox? = nil, procore: Bool = true, batchesAtOnce: Int = 2) {
        self.maxBatchBytes = maxBatchBytes
        self.serverName = serverName
        self.exportLease = exportLease
        self.secrets = secrets
        self.procore = procore
        self.batchesAtOnce = batchesAtOnce
    }
}

/// A running hub: the HTTP API over a `HubStorage`, stopped gracefully by `shutdown()` or a signal.
///
/// In a test: `let hub = try await HubServer.start(storage: storage, port: 0)`, then talk to
/// `hub.baseURL`, then `try await hub.shutdown()`.
public final class HubServer: Sendable {
    /// Its counters, also served at `/metrics`.
    public let metrics: HubMetrics
    /// The export queue the API serves; in-process callers (demo, tests) accept through it.
    public let queue: ExportQueue
    /// The Procore bridge, when running.
    public let bridge: ProcoreBridge?
    /// The server and its services, in one ServiceGroup.
    let server: RunningServer

    /// The host it listens on.
    public var host: String { server.host }
    /// The port actually bound (the free one picked when started with port 0).
    public var port: Int { server.port }
    /// `http://host:port`.
    public var baseURL: String { server.baseURL }

    init(metrics: HubMetrics, queue: ExportQueue, bridge: ProcoreBridge?, server: RunningServer) {
        self.metrics = metrics
        self.queue = queue
        self.bridge = bridge
        self.server = server
    }

    /// Starts serving and returns once the port is bound; with `stopOnSignals`, SIGTERM and SIGINT stop it gracefully.
    /// `extraRoutes` adds routes of other parts (the web console) to the same router, sharing its export queue.
    ///
    /// With `runStorage`, the storage's background work (PostgreSQL's connection pool and LISTEN loop, see
    /// `HubStorage.run()`) is the first service of the hub's ServiceGroup: it starts with the server and stops
    /// after it, when the hub shuts down. Leave it false when the storage already runs in a scope of its own
    /// (`HubDatabase.withStorage`, `HubStorage.withRunning`), e.g. to start several hubs on it one after another.
    public static func start(storage: any HubStorage, host: String = "127.0.0.1", port: Int = 0,
                             configuration: HubConfiguration = HubConfiguration(),
                             logger: Logger = Logger(label: "tieline.hub"),
                             stopOnSignals: Bool = false, runStorage: Bool = false,
                             extraRoutes: @Sendable (Router<HubRequestContext>, ExportQueue) -> Void = { _, _ in }) async throws -> HubServer {
        let metrics = HubMetrics()
        let queue = ExportQueue(storage: storage, lease: configuration.exportLease)
        let bridge = configuration.procore ? ProcoreBridge(queue: queue, secrets: configuration.secrets, logger: logger) : nil
        let router = HubRoutes.router(storage: storage, metrics: metrics, configuration: configuration, queue: queue, bridge: bridge)
        // Other parts served by the same process (the web console under /console) add their routes here.
        extraRoutes(router, queue)
        // Shut down in reverse: the queue closer ends long-polls, the bridge stops, the server drains, the storage closes.
        let server = try await RunningServer.start("the hub", host: host, port: port, serverName: configuration.serverName, router: router,
                                                   dependencies: runStorage ? [storage] : [],
                                                   services: (bridge.map { [$0] } ?? []) + [QueueCloser(queue: queue)],
                                                   stopOnSignals: stopOnSignals, logger: logger, notListening: .internalError)
        logger.info("hub listening", metadata: ["host": "\(host)", "port": "\(server.port)"])
        return HubServer(metrics: metrics, queue: queue, bridge: bridge, server: server)
    }

    /// Stops accepting, lets in-flight requests finish, and waits until the server (and a storage it runs) is down.
    public func shutdown() async throws {
        try await server.shutdown()
    }

    /// Waits until the server stops (after a signal or `shutdown()`).
    public func waitUntilStopped() async throws {
        try await server.waitUntilStopped()
    }
}
