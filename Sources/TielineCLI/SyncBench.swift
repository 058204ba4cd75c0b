import Agent
import ArgumentParser
import Foundation
import GRDB
import Hub
import Sage300
import SyncCore
import TielineCore

/// `tieline bench sync`: end-to-end sync speed with the hub and the agent as separate processes.
struct SyncBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Time Deep and incremental syncs of a sample company into a hub on loopback.",
        discussion: """
            Builds a sample company, starts `tieline hub serve` and runs `tieline sync run` as their own \
            processes (so each one's peak memory is its own), and prints: a Deep sync from The beginning \
            of time, an incremental sync with nothing changed, one after 1,000 new JC transactions, and a raw \
            SQLite copy of the JC rows as the ceiling.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "JC transactions in the sample company.") var transactions: Int = 1_000_000
    @Option(help: "Jobs in the sample company.") var jobs: Int = 200

    func run() async throws {
        try await reporting(json: false) {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tieline-bench-sync-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            let companyPath = folder.appendingPathComponent("company.sqlite").path
            let hubPath = folder.appendingPathComponent("hub.sqlite").path

            Output.note("generating a company with \(transactions) JC transactions…")
            let company = try SampleCompanyGenerator.create(at: companyPath, spec: SampleCompanySpec(jobs: jobs, transactions: transactions, seed: 7))
            let token = try await SQLiteHubStorage(path: hubPath).addSite("bench")
            let port = try BenchProcess.freePort()
            let hub = try BenchProcess.launch(executable, ["hub", "serve", "--port", "\(port)", "--database", "sqlite:\(hubPath)", "--home", folder.path])
            defer { if hub.isRunning { kill(hub.processIdentifier, SIGTERM); hub.waitUntilExit() } }
            try await BenchProcess.waitForPort(port)

            var mappings = Mappings()
            _ = PCCOExportPreset.apply(to: &mappings, ownsPJ: false, strict: false)
            let store = AgentConfigStore(home: TielineHome(url: folder))
            try store.save(AgentConfig(connections: [LocalConnection(name: "Bench", sagePath: companyPath, mappings: mappings,
                                                                     settings: SyncSettings(type: .deep, timeframe: .beginningOfTime))],
                                       hub: HubConnection(url: "http://127.0.0.1:\(port)", site: "bench")))
            try store.saveToken(token)

            var table = TextTable(["measure", "rows", "wall time", "rows/s", "agent peak RSS", "hub peak RSS"])
            func sync(_ label: String, _ type: String) throws -> Double {
                let started = Date()
                let rows = try BenchProcess.runSync(executable, home: folder, type: type)
                let seconds = Date().timeIntervalSince(started)
                table.add([label, "\(rows)", String(format: "%.2f s", seconds), String(format: "%.0f", Double(rows) / seconds),
                           BenchProcess.megabytes(BenchProcess.childrenPeakRSS()), BenchProcess.megabytes(ProcessStats.peakRSSBytes(pid: "\(hub.processIdentifier)"))])
                return seconds
            }
            Output.note("Deep sync…")
            _ = try sync("Deep sync, The beginning of time (\(mappings.enabled.count) entities)", "deep")
            _ = try sync("incremental, nothing changed", "incremental")
            try company.write { db throws in
                // 1,000 changes: reversing entries for 1,000 posted transactions (posted history only grows).
                try db.execute(sql: """
                    INSERT INTO JCT_CURRENT__TRANSACTION (Run, Sequence, Job, Extra, Cost_Code, Category, Transaction_Type, Accounting_Date, Transaction_Date, Description, Amount)
                    SELECT Run + 1000000, Sequence, Job, Extra, Cost_Code, Category, Transaction_Type, Accounting_Date, Transaction_Date, 'Reversal', -Amount
                    FROM JCT_CURRENT__TRANSACTION ORDER BY rowid LIMIT 1000
                    """)
            }
            _ = try sync("incremental, after 1,000 changed rows (new JC entries)", "incremental")

            let copyStarted = Date()
            let copied = try company.copyTable(SageSchema.transaction, into: folder.appendingPathComponent("copy.sqlite").path)
            let copy = Date().timeIntervalSince(copyStarted)
            table.add(["ceiling: SQLite INSERT…SELECT of the JC rows", "\(copied)", String(format: "%.2f s", copy), String(format: "%.0f", Double(copied) / copy), "", ""])
            print(table.rendered)
        }
    }
}

/// Child processes for benchmarks: launch, wait for a port, read peak memory.
enum BenchProcess {
    static func launch(_ executable: URL, _ arguments: [String], output: FileHandle = .nullDevice) throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs `tieline sync run` and returns the rows it sent, from its JSON lines.
    static func runSync(_ executable: URL, home: URL, type: String) throws -> Int {
        let pipe = Pipe()
        let process = try launch(executable, ["sync", "run", "--connection", "Bench", "--home", home.path, "--type", type, "--json"], output: pipe.fileHandleForWriting)
        try pipe.fileHandleForWriting.close()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let finished = output.split(separator: "\n").last(where: { $0.contains(#""event":"run_finished""#) }),
              let object = try JSONSerialization.jsonObject(with: Data(finished.utf8)) as? [String: Any],
              let rows = object["rows"] as? Int else {
            throw TielineError(.benchFailed, "sync run (\(type)) failed: \(output.suffix(500))")
        }
        return rows
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

    /// A port nothing listens on now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        guard bound == 0 else { throw TielineError(.benchFailed, "no free port on 127.0.0.1") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func waitForPort(_ port: Int) async throws {
        for _ in 0..<3_000 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if connected == 0 { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TielineError(.benchFailed, "the hub did not start listening on port \(port)")
    }
}

extension TielineError.Code {
    static let benchFailed = Self("bench_failed")
}
