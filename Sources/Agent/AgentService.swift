import Foundation
import Logging
import ServiceLifecycle
import SyncCore
import TielineCore

/// `tieline agent run`: the long-running client. Incremental syncs of every connection on a
/// schedule, a Deep sync on demand, and a graceful shutdown that finishes and checkpoints the
/// current batch before recording the run `interrupted`.
public struct AgentService: Service {
    /// Builds the destination for the configured hub and names it for messages (`hub at URL`).
    public typealias DestinationFactory = @Sendable (HubConnection, String) throws -> (destination: any SyncDestination, name: String)

    public let home: TielineHome
    /// Time between the end of one cycle and the start of the next.
    public var interval: Duration
    /// Run a Deep sync of every connection in the first cycle.
    public var deepNow: Bool
    public var options: SyncOptions
    public var logger: Logger
    public var onEvent: @Sendable (SyncEvent) -> Void
    let makeDestination: DestinationFactory

    public init(home: TielineHome, interval: Duration = .seconds(60), deepNow: Bool = false, options: SyncOptions = SyncOptions(),
                logger: Logger = Logger(label: "tieline.agent"), onEvent: @escaping @Sendable (SyncEvent) -> Void = { _ in },
                makeDestination: @escaping DestinationFactory) {
        self.home = home
        self.interval = interval
        self.deepNow = deepNow
        self.options = options
        self.logger = logger
        self.onEvent = onEvent
        self.makeDestination = makeDestination
    }

    public func run() async throws {
        let stop = StopSignal()
        await withGracefulShutdownHandler {
            await loop(stop: stop)
        } onGracefulShutdown: {
            stop.request()
        }
        logger.info("agent stopped")
    }

    /// Cycles until stopped; a Deep request is kept until a cycle completes it everywhere.
    ///
    /// A cancelled task stops it too: when another service of the group fails (a console port taken) the group
    /// cancels rather than shuts down gracefully, and a cancelled wait returns at once, so this would spin.
    func loop(stop: StopSignal) async {
        var deepOwed = deepNow
        while !stop.isRequested, !Task.isCancelled {
            let deep = deepOwed || DeepSyncTrigger.isRequested(home: home)
            let records = await runCycle(deep: deep, stop: stop)
            if deep, !records.isEmpty, records.allSatisfy({ $0.type == "deep" && $0.status == .completed }) {
                deepOwed = false
                DeepSyncTrigger.clear(home: home)
            }
            // Wait out the interval in short steps, so a stop or a new Deep request is seen quickly
            // (a Deep request that failed this cycle waits the interval like everything else).
            var waited = Duration.zero
            while waited < interval, !stop.isRequested, !Task.isCancelled {
                if !deep && DeepSyncTrigger.isRequested(home: home) { break }
                let step = min(.seconds(1), interval - waited)
                _ = await stop.wait(step, clock: options.retry.clock)
                waited += step
            }
        }
    }

    /// One pass over every connection; returns the runs it recorded.
    ///
    /// A run stopped earlier (restart, hub outage) is resumed first, whatever its type.
    public func runCycle(deep: Bool, stop: StopSignal = StopSignal()) async -> [SyncRunRecord] {
        let store = AgentConfigStore(home: home)
        let config: AgentConfig
        let token: String?
        do {
            config = try store.load()
            token = try store.loadToken()
        } catch {
            logger.error("cannot read the agent configuration: \(error)")
            return []
        }
        guard let hub = config.hub, let token else {
            logger.error("not connected to a hub; run `tieline connect` first")
            return []
        }
        let state: AgentState
        let destination: any SyncDestination
        var options = options
        do {
            state = try AgentState.open(home: home)
            let made = try makeDestination(hub, token)
            destination = made.destination
            options.destinationName = made.name
        } catch {
            logger.error("cannot start syncing: \(error)")
            return []
        }
        var records: [SyncRunRecord] = []
        for connection in config.connections where !stop.isRequested {
            var request = SyncRequest(connection: connection, type: deep ? .deep : .incremental)
            do {
                if let stopped = try state.resumableRun(connection: connection.name) {
                    request = SyncRequest(connection: connection, only: stopped.entities, type: stopped.type, timeframe: stopped.timeframe)
                    logger.info("resuming run \(stopped.id) of \(connection.name) (\(stopped.type.displayName))")
                }
                let runner = SyncRunner(state: state, destination: destination, options: options, stop: stop, onEvent: onEvent)
                let record = try await runner.run(request)
                records.append(record)
                let summary = "\(record.type) sync of \(connection.name): \(record.status.rawValue), \(record.rowsSent) rows"
                if record.status == .completed { logger.info("\(summary)") } else { logger.warning("\(summary); \(record.error ?? "")") }
            } catch {
                logger.error("\(connection.name): \(error)")
            }
        }
        return records
    }
}

/// A Deep sync requested from outside the running agent (CLI, local console): a flag file in the home folder.
public enum DeepSyncTrigger {
    static func url(home: TielineHome) -> URL { home.path("deep-sync-requested") }

    /// Asks a running agent for a Deep sync of every connection at its next check (within a second).
    public static func request(home: TielineHome) throws(TielineError) {
        try AtomicFile.write(Data(AgentState.timestamp().utf8), to: url(home: home), permissions: 0o600)
    }

    /// Whether a Deep sync is waiting.
    public static func isRequested(home: TielineHome) -> Bool {
        FileManager.default.fileExists(atPath: url(home: home).path)
    }

    static func clear(home: TielineHome) {
        try? FileManager.default.removeItem(at: url(home: home))
    }
}
