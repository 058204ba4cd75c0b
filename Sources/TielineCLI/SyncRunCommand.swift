import Agent
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import SyncCore
import TielineCore

/// `tieline sync run`: sync one Local Connection to the hub now (the Sync tab's **Sync** button).
struct SyncRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Sync a Local Connection's mapped entities to the hub now.",
        discussion: """
            Type and timeframe default to the connection's saved Settings. A run that was stopped \
            (Ctrl-C, hub down, process killed) resumes from its last acknowledged batch. \
            Exit status 75 means the run was interrupted and will resume.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "The Local Connection to sync.")
    var connection: String

    @Option(name: .long, parsing: .upToNextOption,
            help: ArgumentHelp("Sync only these entities (Deselect All, then tick them), e.g. --only \"Transaction (JC)\" \"Contract Item (CN)\".",
                               valueName: "entity"))
    var only: [String] = []

    @Option(name: .long, help: ArgumentHelp("deep or incremental (default: the saved setting).", valueName: "type"))
    var type: String?

    @Option(name: .long, help: ArgumentHelp("beginning-of-time, since:YYYY-MM-DD or last:N(d|m|y) (default: the saved setting).", valueName: "timeframe"))
    var timeframe: String?

    @Option(name: .long, help: "Rows per batch.")
    var batchSize: Int = 10_000

    @Option(name: .long, help: ArgumentHelp("Batches sent before the first is acknowledged (1 to 4): the agent reads the next while the hub applies one; more hides the round trip to a distant hub.",
                                            valueName: "n"))
    var batchesInFlight: Int = 3

    @Option(name: .long, help: "Seconds to wait for a hub that is not answering before stopping (the run resumes next time).")
    var maxWait: Int = 300

    @Flag(name: .long, help: ArgumentHelp("""
        For an ODBC connection: scan every entity's keys for rows Sage deleted now (incremental syncs \
        otherwise scan once a day; a Sage company keeps no record of deletions).
        """))
    var keyScan = false

    @Flag(name: .long, help: "Print one JSON object per event instead of progress lines.")
    var json = false

    func run() async throws {
        let home = global.tielineHome
        let store = AgentConfigStore(home: home)
        let config = try store.load()
        let local = try config.connection(connection)
        let syncType = try type.map { text throws(TielineError) -> SyncType in
            guard let value = SyncType(rawValue: text.lowercased()) else {
                throw TielineError(.invalidInput, "--type '\(text)': use deep or incremental")
            }
            return value
        }
        let frame = try timeframe.map { text throws(TielineError) in try Timeframe(parsing: text) }
        let (destination, name) = try HubDestinationFactory.make(config: config, store: store)
        let printer = SyncProgressPrinter(json: json)
        guard (1...4).contains(batchesInFlight) else { throw TielineError(.invalidInput, "--batches-in-flight must be 1 to 4") }
        var settings = SyncOptions(batchSize: batchSize, retry: RetryPolicy(maxWait: .seconds(max(1, maxWait))), destinationName: name)
        settings.batchesInFlight = batchesInFlight
        let options = settings
        let state = try AgentState.open(home: home)
        let request = SyncRequest(connection: local, only: only, type: syncType, timeframe: frame, keyScan: keyScan)
        let outcome = SyncOutcome()
        // Ctrl-C or SIGTERM: finish and checkpoint the current batch, record the run interrupted.
        let service = ClosureService {
            let stop = StopSignal()
            await withGracefulShutdownHandler {
                let runner = SyncRunner(state: state, destination: destination, options: options, stop: stop, onEvent: printer.handle)
                do throws(TielineError) {
                    let record = try await runner.run(request)
                    outcome.result.withLock { $0 = .success(record) }
                } catch {
                    outcome.result.withLock { $0 = .failure(error) }
                }
            } onGracefulShutdown: {
                stop.request()
            }
        }
        var logger = Logger(label: "tieline.sync")
        logger.logLevel = .warning
        // A one-shot run: its service ending (successfully) ends the group, rather than being an error.
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigint, .sigterm], logger: logger))
        try await group.run()
        switch outcome.result.withLock({ $0 }) {
        case .success(let record):
            if record.status != .completed { throw ExitCode(record.status == .interrupted ? 75 : 1) }
        case .failure(let error):
            throw error
        case nil:
            throw ExitCode(75)
        }
    }
}

/// The run's result, handed out of the service that ran it.
final class SyncOutcome: Sendable {
    let result = Mutex<Result<SyncRunRecord, TielineError>?>(nil)
}

/// `tieline sync history`: recorded runs, newest first.
struct SyncHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show recorded sync runs: start, end, type, timeframe, per-entity counts, errors.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Only runs of this Local Connection.")
    var connection: String?

    @Option(name: .long, help: "How many runs to show.")
    var limit: Int = 20

    @Flag(name: .long, help: "Print a JSON array.")
    var json = false

    func run() throws {
        let state = try AgentState.open(home: global.tielineHome)
        let runs = try state.history(connection: connection, limit: limit)
        if json {
            Console.current.json(runs)
            return
        }
        guard !runs.isEmpty else {
            print(connection.map { "no sync runs recorded for \($0)" } ?? "no sync runs recorded yet")
            return
        }
        for run in runs {
            print(SyncHistoryFormat.lines(run).joined(separator: "\n"))
        }
    }
}

/// How `sync history` shows one run.
enum SyncHistoryFormat {
    static func lines(_ run: SyncRunRecord) -> [String] {
        let type = run.type == "deep" ? "Deep" : "Incremental"
        var lines = ["\(run.startedAt)  \(run.connection)  \(type), \(run.timeframe)  \(run.status.rawValue)  (run \(run.id))"]
        if let finished = run.finishedAt { lines.append("  finished \(finished)") }
        for (entity, counts) in run.entities.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(entity): \(counts.upserts) upserted, \(counts.deletes) deleted, \(counted(counts.batches, "batch", "batches")), \(counts.status)")
        }
        if let error = run.error { lines.append("  error: \(error)") }
        return lines
    }
}

/// Builds the hub destination from the saved Connect settings.
enum HubDestinationFactory {
    /// The destination for the configured hub and how messages name it (`hub at URL`).
    static func make(config: AgentConfig, store: AgentConfigStore) throws(TielineError) -> (any SyncDestination, String) {
        guard let hub = config.hub, let token = try store.loadToken(), !token.isEmpty else {
            throw TielineError(.cliNotConnected, "not connected to a hub; run `tieline connect --hub URL --site SITE --token -` first (it reads the token from standard input)")
        }
        return (try makeHubDestination(url: hub.url, token: token), "hub at \(hub.url)")
    }

    /// The one place the CLI constructs its hub client.
    static func makeHubDestination(url: String, token: String) throws(TielineError) -> any SyncDestination {
        HubClient(url: url, token: token)
    }
}

extension TielineError.Code {
    static let cliNotConnected = Self("not_connected")
}

/// Draws sync progress: one redrawn line per entity on a terminal, JSON lines with `--json`,
/// and only the finished lines when output goes to a file.
final class SyncProgressPrinter: Sendable {
    private let json: Bool
    private let terminal: Bool
    private let lineOpen = Mutex(false)
    /// Where text goes (`error` for stderr); the process's stdout/stderr unless a test reads it.
    private let output: @Sendable (_ text: String, _ error: Bool) -> Void

    init(json: Bool, terminal: Bool = isatty(STDOUT_FILENO) == 1,
         output: @escaping @Sendable (_ text: String, _ error: Bool) -> Void = { text, error in
             (error ? FileHandle.standardError : FileHandle.standardOutput).write(Data(text.utf8))
         }) {
        self.json = json
        self.terminal = terminal
        self.output = output
    }

    var handle: @Sendable (SyncEvent) -> Void { { [self] event in self.print(event) } }

    private func print(_ event: SyncEvent) {
        if json {
            write(event.jsonLine + "\n")
            return
        }
        switch event {
        case .runStarted(let runID, let connection, let type, let timeframe, let entities, let resumed):
            write("\(resumed ? "Resuming" : "Starting") \(type.displayName) sync of \(connection) (\(timeframe), \(entities.count) entities, run \(runID))\n")
        case .entityStarted(let entity, let estimated):
            if terminal { redraw("\(entity): 0 / \(estimated) rows") }
        case .progress(let p):
            guard terminal else { return }
            let eta = p.etaSeconds.map { " ETA \(Self.seconds($0))" } ?? ""
            redraw("\(p.entity): \(p.rows) / \(p.estimatedRows) rows  \(Int(p.rowsPerSecond)) rows/s\(eta)")
        case .entityFinished(let entity, let upserts, let deletes, let batches):
            endLine()
            write("✓ \(entity): \(upserts) upserted, \(deletes) deleted in \(counted(batches, "batch", "batches"))\n")
        case .waiting(let message, _, _):
            endLine()
            write(message + "\n", error: true)
        case .runFinished(let record):
            endLine()
            let detail = record.error.map { ": \($0)" } ?? ""
            write("Sync \(record.status.rawValue): \(record.rowsSent) rows sent (run \(record.id))\(detail)\n")
        }
    }

    private func redraw(_ text: String) {
        lineOpen.withLock { $0 = true }
        write("\r\u{1B}[2K" + text)
    }

    private func endLine() {
        if lineOpen.withLock({ open in defer { open = false }; return open }) { write("\n") }
    }

    private func write(_ text: String, error: Bool = false) {
        output(text, error)
    }

    static func seconds(_ value: Double) -> String {
        let whole = Int(value.rounded())
        return whole < 60 ? "\(whole)s" : "\(whole / 60)m \(whole % 60)s"
    }
}
