import Agent
import ArgumentParser
import Foundation
import Hub
import SyncCore
import TielineCLI
import TielineCore

/// `tieline-bench hub-memory`: the hub's peak memory while agents post the largest batches it takes, all at once.
struct HubMemoryBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hub-memory",
        abstract: "Post several maximal batches (64 MiB each) to a hub at once and report its peak RSS.",
        discussion: """
            Starts `tieline hub serve` as a process of its own on loopback, opens a sync run and posts \
            --batches batches at the same moment, each as large as the hub accepts (close to 64 MiB: \
            50,000 rows of 40 text values), then reads the hub's peak RSS (VmHWM) from /proc.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Batches posted at once.") var batches: Int = 4
    @Flag(help: "Print the measurement as JSON.") var json = false

    struct Result: Encodable {
        var batches: Int
        var bytesPerBatch: Int
        var rowsApplied: Int
        var seconds: Double
        var hubIdleRSSBytes: Int?
        var hubPeakRSSBytes: Int?
    }

    func run() async throws {
        try await reporting(json: json) {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tieline-bench-memory-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            let database = "sqlite:" + folder.appendingPathComponent("hub.sqlite").path
            let token = try await HubDatabase(parsing: database).withStorage(logger: SyncBench.quietStorageLogger) { try await $0.addSite("bench") }
            let port = try BenchProcess.freePort()
            let hub = try BenchProcess.launch(executable, ["tieline", "hub", "serve", "--port", "\(port)", "--database", database,
                                                           "--home", folder.path])
            defer { if hub.isRunning { kill(hub.processIdentifier, SIGTERM); hub.waitUntilExit() } }
            try await BenchProcess.waitForPort(port)
            let pid = "\(hub.processIdentifier)"
            let idle = ProcessStats.peakRSSBytes(pid: pid)

            let client = HubClient(url: "http://127.0.0.1:\(port)", token: token)
            let runID = "memory-\(UUID().uuidString)"
            try await client.beginRun(SyncRunStart(runID: runID, connection: "Bench", type: .deep, timeframe: .beginningOfTime, startDate: nil,
                                                   entities: ["Transaction (JC)"]))
            let columns = (0..<40).map { "c\($0)" }
            // 40 values of 30 bytes a row, 50,000 rows: the row and value limits of one batch, ~61 MiB on the wire.
            let filler = String(repeating: "x", count: 24)
            let made = (0..<batches).map { b in
                SyncBatch(runID: runID, entity: "Transaction (JC)", sequence: b, columns: columns, key: ["c0"], dateColumn: nil,
                          upserts: (0..<(SyncWire.maxRows)).map { r in
                              [.text(String(format: "%02d-%06d", b, r) + String(repeating: "k", count: 21))] + (1..<40).map { _ in .text(filler + "-value") }
                          },
                          deletes: [], throughVersion: Int64(b))
            }
            let bytes = SyncWire.encode(made[0]).count
            let started = Date()
            let applied = try await withThrowingTaskGroup(of: Int.self) { group in
                for batch in made { group.addTask { try await client.send(batch).applied } }
                return try await group.reduce(0, +)
            }
            let seconds = Date().timeIntervalSince(started)
            let result = Result(batches: batches, bytesPerBatch: bytes, rowsApplied: applied, seconds: seconds, hubIdleRSSBytes: idle,
                                hubPeakRSSBytes: ProcessStats.peakRSSBytes(pid: pid))
            if json { Console.current.json(result); return }
            var table = TextTable(["measure", "batch size", "rows applied", "wall time", "hub RSS idle", "hub peak RSS"])
            table.add(["\(batches) batches posted at once", String(format: "%.1f MiB", Double(bytes) / 1_048_576), "\(applied)",
                       String(format: "%.2f s", seconds), BenchProcess.megabytes(idle), BenchProcess.megabytes(result.hubPeakRSSBytes)])
            print(table.rendered)
        }
    }
}
