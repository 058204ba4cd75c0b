import ArgumentParser
import Foundation
import TielineCLI
import SageStore
import SageModel
import TielineCore

/// `tieline-bench`: speed and memory measurements, printed as a table (run with `-c release`).
/// A program of its own, so the measuring code does not ship inside `tieline`.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tieline-bench",
        abstract: "Measure Tieline's speed and memory; prints a table. Run with `swift run -c release tieline-bench ...`.",
        subcommands: [SampleCompanyBench.self, SyncBench.self, ExportBench.self, HubMemoryBench.self])

    struct SampleCompanyBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sample-company",
            abstract: "Time the sample-company generator, beside a raw SQLite copy of the same rows.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "JC transactions to generate.") var transactions: Int = 1_000_000
        @Option(help: "Jobs to generate.") var jobs: Int = 200
        @Flag(help: "Print the measurements as JSON.") var json = false

        struct Result: Encodable {
            let transactions: Int
            let generateSeconds: Double
            let generateRowsPerSecond: Double
            let peakRSSMegabytes: Double?
            let copySeconds: Double
            let copyRowsPerSecond: Double
            let fileMegabytes: Double
        }

        func run() async throws {
            try await reporting(json: json) {
                let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tieline-bench-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: folder) }
                let path = folder.appendingPathComponent("company.sqlite").path

                let started = Date()
                let company = try SampleCompanyGenerator.create(at: path, spec: SampleCompanySpec(jobs: jobs, transactions: transactions, seed: 7))
                let generate = Date().timeIntervalSince(started)
                let rss = ProcessStats.peakRSSBytes().map { Double($0) / 1_048_576 }

                let copyStarted = Date()
                let copied = try company.copyTable(SageSchema.transaction, into: folder.appendingPathComponent("copy.sqlite").path)
                let copy = Date().timeIntervalSince(copyStarted)
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int).flatMap { $0 }.map { Double($0) / 1_048_576 } ?? 0

                let result = Result(transactions: transactions, generateSeconds: generate, generateRowsPerSecond: Double(transactions) / generate,
                                    peakRSSMegabytes: rss, copySeconds: copy, copyRowsPerSecond: Double(copied) / copy, fileMegabytes: size)
                if json { Console.current.json(result); return }
                var table = TextTable(["measure", "rows", "wall time", "rows/s", "peak RSS"])
                table.add(["sample company (\(jobs) jobs, all tables)", "\(transactions)", String(format: "%.1f s", generate),
                           String(format: "%.0f", result.generateRowsPerSecond), rss.map { String(format: "%.0f MB", $0) } ?? "n/a"])
                table.add(["ceiling: SQLite INSERT…SELECT of JC rows", "\(copied)", String(format: "%.2f s", copy),
                           String(format: "%.0f", result.copyRowsPerSecond), ""])
                print(table.rendered)
                print(String(format: "company file: %.0f MB", size))
            }
        }
    }
}
