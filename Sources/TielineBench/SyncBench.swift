import Agent
import ArgumentParser
import Foundation
import Logging
import TielineCLI
import GRDB
import Hub
import SageStore
import SageModel
import SyncCore
import TielineCore

/// `tieline-bench sync`: end-to-end sync speed with the hub and the agent as separate processes.
struct SyncBench: AsyncParsableCommand {
    /// Storage logs only problems here; the table is the output.
    static var quietStorageLogger: Logger {
        var logger = Logger(label: "tieline.bench.storage")
        logger.logLevel = .warning
        return logger
    }

    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Time Deep and incremental syncs of a sample company into a hub on loopback.",
        discussion: """
            Builds a sample company, starts `tieline hub serve` and runs `tieline sync run` as their own \
            processes (so each one's peak memory is its own), and prints: a Deep sync from The beginning \
            of time, an incremental sync with nothing changed, one after 1,000 new JC transactions, and a raw \
            SQLite copy of the JC rows as the ceiling. With --database postgres://..., the same syncs also run \
            into a hub on PostgreSQL (a scratch database created on that server and dropped afterwards).
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "JC transactions in the sample company.") var transactions: Int = 1_000_000
    @Option(help: "Jobs in the sample company.") var jobs: Int = 200
    @Option(help: ArgumentHelp("Also measure a hub on this PostgreSQL server (its user must be allowed to CREATE DATABASE).",
                               valueName: "postgres-url"))
    var database: String?
    @Option(help: "Batches each sync keeps in flight (sync run --batches-in-flight).") var batchesInFlight: Int?
    @Flag(help: "Print the measurements as JSON (rows/s, seconds, peak RSS, and this run's copy ceilings) for scripts.") var json = false

    /// One measurement, as `--json` prints it.
    struct Measure: Encodable {
        var measure: String
        var hubDatabase: String?
        var rows: Int
        var seconds: Double
        var rowsPerSecond: Double
        var agentPeakRSSBytes: Int?
        var hubPeakRSSBytes: Int?
    }

    /// One hub under test: its backend's name, its `--database`, its agent's home folder.
    struct BenchHub {
        var label: String
        var database: String
        var home: URL
        var process: Process?
        var port = 0
    }

    func run() async throws {
        try await reporting(json: json) {
            let server: PostgresLocation? = try database.map { text in
                guard case .postgres(let location) = try HubDatabase(parsing: text) else {
                    throw TielineError(.invalidInput, "--database must be a postgres:// URL (SQLite is always measured)")
                }
                return location
            }
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tieline-bench-sync-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            let companyPath = folder.appendingPathComponent("company.sqlite").path

            if !json { Output.note("generating a company with \(transactions) JC transactions…") }
            let company = try SampleCompanyGenerator.create(at: companyPath, spec: SampleCompanySpec(jobs: jobs, transactions: transactions, seed: 7))

            var hubs = [BenchHub(label: "SQLite", database: "sqlite:" + folder.appendingPathComponent("hub.sqlite").path,
                            home: folder.appendingPathComponent("sqlite"))]
            var scratch: PostgresLocation?
            if let server {
                let location = try await PostgresScratchDatabase.create(on: server, prefix: "tieline_bench_")
                scratch = location
                hubs.append(BenchHub(label: "PostgreSQL", database: Self.url(location), home: folder.appendingPathComponent("postgres")))
            }
            defer {
                for hub in hubs { if let process = hub.process, process.isRunning { kill(process.processIdentifier, SIGTERM); process.waitUntilExit() } }
            }
            do {
                var mappings = Mappings()
                _ = PCCOExportPreset.apply(to: &mappings, ownsPJ: false, strict: false)
                for i in hubs.indices {
                    let token = try await HubDatabase(parsing: hubs[i].database).withStorage(logger: Self.quietStorageLogger) {
                        try await $0.addSite("bench")
                    }
                    hubs[i].port = try BenchProcess.freePort()
                    try FileManager.default.createDirectory(at: hubs[i].home, withIntermediateDirectories: true)
                    hubs[i].process = try BenchProcess.launch(executable, ["tieline", "hub", "serve", "--port", "\(hubs[i].port)", "--database", hubs[i].database,
                                                                           "--home", hubs[i].home.path])
                    try await BenchProcess.waitForPort(hubs[i].port)
                    // Each hub has its own agent home (its checkpoints), both reading the one company.
                    let store = AgentConfigStore(home: TielineHome(url: hubs[i].home))
                    try store.save(AgentConfig(connections: [LocalConnection(name: "Bench", sagePath: companyPath, mappings: mappings,
                                                                             settings: SyncSettings(type: .deep, timeframe: .beginningOfTime))],
                                               hub: HubConnection(url: "http://127.0.0.1:\(hubs[i].port)", site: "bench")))
                    try store.saveToken(token)
                }

                var measures: [Measure] = []
                func sync(_ label: String, _ type: String, _ hub: BenchHub) throws {
                    let (rows, seconds) = try BenchProcess.runSync(executable, home: hub.home, type: type, batchesInFlight: batchesInFlight)
                    measures.append(Measure(measure: label, hubDatabase: hub.label, rows: rows, seconds: seconds, rowsPerSecond: Double(rows) / seconds,
                                            agentPeakRSSBytes: BenchProcess.childrenPeakRSS(),
                                            hubPeakRSSBytes: hub.process.flatMap { ProcessStats.peakRSSBytes(pid: "\($0.processIdentifier)") }))
                }
                // Every hub sees the company in the same state: both Deep and quiet syncs first, then the changes.
                for hub in hubs {
                    if !json { Output.note("Deep sync into \(hub.label)…") }
                    try sync("Deep sync, The beginning of time (\(mappings.enabled.count) entities)", "deep", hub)
                    try sync("incremental, nothing changed", "incremental", hub)
                }
                try company.write { db throws in
                    // 1,000 changes: reversing entries for 1,000 posted transactions (posted history only grows).
                    try db.execute(sql: """
                        INSERT INTO JCT_CURRENT__TRANSACTION (Run, Sequence, Job, Extra, Cost_Code, Category, Transaction_Type, Accounting_Date, Transaction_Date, Description, Amount)
                        SELECT Run + 1000000, Sequence, Job, Extra, Cost_Code, Category, Transaction_Type, Accounting_Date, Transaction_Date, 'Reversal', -Amount
                        FROM JCT_CURRENT__TRANSACTION ORDER BY rowid LIMIT 1000
                        """)
                }
                for hub in hubs { try sync("incremental, after 1,000 changed rows (new JC entries)", "incremental", hub) }

                // The ceilings, measured in the same run: the JC rows copied locally, into a keyed table and a bare one.
                for keyed in [true, false] {
                    let started = Date()
                    let copied = try company.copyTable(SageSchema.transaction, into: folder.appendingPathComponent("copy-\(keyed).sqlite").path, keyed: keyed)
                    let seconds = Date().timeIntervalSince(started)
                    measures.append(Measure(measure: "ceiling: SQLite INSERT…SELECT of the JC rows into a \(keyed ? "keyed" : "bare") table", hubDatabase: nil,
                                            rows: copied, seconds: seconds, rowsPerSecond: Double(copied) / seconds))
                }
                if json {
                    Console.current.json(measures)
                } else {
                    var table = TextTable(["measure", "hub database", "rows", "wall time", "rows/s", "agent peak RSS", "hub peak RSS"])
                    for m in measures {
                        table.add([m.measure, m.hubDatabase ?? "", "\(m.rows)", String(format: "%.2f s", m.seconds), String(format: "%.0f", m.rowsPerSecond),
                                   m.hubDatabase == nil ? "" : BenchProcess.megabytes(m.agentPeakRSSBytes),
                                   m.hubDatabase == nil ? "" : BenchProcess.megabytes(m.hubPeakRSSBytes)])
                    }
                    print(table.rendered)
                    if let server { print("PostgreSQL: \(server) (hub peak RSS is the hub process only, not the PostgreSQL server)") }
                }
            } catch {
                for hub in hubs { if let process = hub.process, process.isRunning { kill(process.processIdentifier, SIGTERM); process.waitUntilExit() } }
                if let scratch, let server { try? await PostgresScratchDatabase.drop(scratch, server: server) }
                throw error
            }
            for hub in hubs { if let process = hub.process, process.isRunning { kill(process.processIdentifier, SIGTERM); process.waitUntilExit() } }
            if let scratch, let server { try await PostgresScratchDatabase.drop(scratch, server: server) }
        }
    }

    /// The scratch database as a `--database` argument for the hub process; a password goes by PGPASSWORD, not the command line.
    static func url(_ location: PostgresLocation) -> String {
        if let password = location.password { setenv("PGPASSWORD", password, 1) }
        var bare = location
        bare.password = nil
        return bare.description
    }
}

/// Child processes for benchmarks: launch, wait for a port, read peak memory.
enum BenchProcess {
    static func launch(_ executable: URL, _ arguments: [String], output: FileHandle = .nullDevice,
                       onExit: (@Sendable (Process) -> Void)? = nil) throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.terminationHandler = onExit
        try process.run()
        return process
    }

    /// Runs `tieline sync run` and returns the rows it sent (from its JSON lines) and its wall time.
    ///
    /// The time ends when the process is seen to exit, not when `waitUntilExit` returns: on Linux that polls
    /// in 50 ms slices, which added up to 50 ms to every sync measured (half of the no-op budget).
    static func runSync(_ executable: URL, home: URL, type: String, batchesInFlight: Int? = nil) throws -> (rows: Int, seconds: Double) {
        let pipe = Pipe()
        let window = batchesInFlight.map { ["--batches-in-flight", "\($0)"] } ?? []
        let exited = DispatchSemaphore(value: 0)
        let started = Date()
        let process = try launch(executable, ["tieline", "sync", "run", "--connection", "Bench", "--home", home.path, "--type", type, "--json"] + window,
                                 output: pipe.fileHandleForWriting, onExit: { _ in exited.signal() })
        try pipe.fileHandleForWriting.close()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        exited.wait()
        let seconds = Date().timeIntervalSince(started)
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let finished = output.split(separator: "\n").last(where: { $0.contains(#""event":"run_finished""#) }),
              let object = try JSONSerialization.jsonObject(with: Data(finished.utf8)) as? [String: Any],
              let rows = object["rows"] as? Int else {
            throw TielineError(.benchFailed, "sync run (\(type)) failed: \(output.suffix(500))")
        }
        return (rows, seconds)
    }

    /// The largest peak RSS among children waited for so far.
    static func childrenPeakRSS() -> Int? {
        var usage = rusage()
        guard getrusage(RUSAGE_CHILDREN.rawValue, &usage) == 0 else { return nil }
        return usage.ru_maxrss * 1024
    }

    static func megabytes(_ bytes: Int?) -> String {
        bytes.map { String(format: "%.0f MB", Double($0) / 1_048_576) } ?? "n/a"
    }

    static func freePort() throws -> Int { try LoopbackPort.free() }

    static func waitForPort(_ port: Int) async throws { try await LoopbackPort.waitUntilListening(port) }
}

extension TielineError.Code {
    static let benchFailed = Self("bench_failed")
}
