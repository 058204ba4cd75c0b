import ArgumentParser
import Foundation
import TielineCLI
import Hub
import ProcoreSandbox
import TielineCore

/// `tieline-bench export`: Accept → Synced latency through hub, agent, Sage and the Procore sandbox on loopback.
struct ExportBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Time PCCO exports from Accept to Synced: one at a time, then a burst accepted at once.",
        discussion: """
            Starts the demo's stack (sample company, hub, Procore sandbox with webhooks, agent), runs a Deep \
            sync, then accepts --count PCCOs one after another and --burst PCCOs all at once. Latency is from \
            the Accept to Synced (Sage written and Procore told). Run with `swift run -c release`.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "PCCOs accepted one at a time.") var count = 200
    @Option(help: "PCCOs accepted at once.") var burst = 200
    @Flag(help: "Print the measurements as JSON.") var json = false

    struct Phase: Encodable {
        var phase: String
        var exports: Int
        var medianMilliseconds: Double
        var p99Milliseconds: Double
        var maxMilliseconds: Double
        var exportsPerSecond: Double
    }

    func run() async throws {
        try await reporting(json: json) {
            guard (1...5_000).contains(count), (0...5_000).contains(burst) else {
                throw TielineError(.invalidInput, "--count must be 1 to 5000 and --burst 0 to 5000")
            }
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tieline-bench-export-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            // Accept → Synced is what a site with --hub-approval waits; without it the same path starts at arrival.
            var options = ExportStack.Options()
            options.hubApproval = true
            let stack = try await ExportStack.start(folder: folder, options: options)
            var phases: [Phase] = []
            var stages: [String: Double] = [:]
            var acceptSeconds = 0.0
            do {
                try await stack.withAgent {
                    _ = try await stack.sync()
                    try await stack.stageAndImport()
                    let project = stack.sandbox.projects.first { $0.originCode == "24-118" }?.id
                    func arrive(_ numbers: [String]) async throws -> [Int64] {
                        let pccos = try numbers.map { try stack.sandbox.createApprovedPCCO(PCCOSpec(projectID: project, number: $0, title: "Bench \($0)")) }
                        var ids: [Int64] = []
                        for pcco in pccos { ids.append(try await stack.arrival(of: pcco.id).id) }
                        return ids
                    }

                    var sequential: [HubExport] = []
                    let sequentialStart = Date()
                    for i in 0..<count {
                        let id = try await arrive([String(format: "S%04d", i)])[0]
                        _ = try await stack.hub.queue.accept(id: id, site: stack.site, actor: "bench")
                        sequential.append(try await Self.synced(id, stack: stack))
                    }
                    phases.append(Self.phase("one at a time", sequential, wall: Date().timeIntervalSince(sequentialStart)))

                    if burst > 0 {
                        let ids = try await arrive((0..<burst).map { String(format: "B%04d", $0) })
                        let accepting = Date()
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            for id in ids { group.addTask { _ = try await stack.hub.queue.accept(id: id, site: stack.site, actor: "bench") } }
                            try await group.waitForAll()
                        }
                        acceptSeconds = Date().timeIntervalSince(accepting)
                        var done: [HubExport] = []
                        for id in ids { done.append(try await Self.synced(id, stack: stack, every: .milliseconds(50))) }
                        let first = done.compactMap(\.acceptedAt).min() ?? Date()
                        let last = done.compactMap(\.syncedAt).max() ?? Date()
                        phases.append(Self.phase("burst of \(burst) accepted at once", done, wall: last.timeIntervalSince(first)))
                        stages = try await Self.stages(done, stack: stack)
                        phases.append(Self.phase("all \(count + burst)", sequential + done, wall: 0))
                    }
                }
            } catch {
                await stack.shutdown()
                throw error
            }
            await stack.shutdown()

            if json { return Console.current.json(phases) }
            var table = TextTable(["Accept → Synced", "exports", "median", "p99", "max", "exports/s"])
            for p in phases {
                table.add([p.phase, "\(p.exports)", String(format: "%.1f ms", p.medianMilliseconds), String(format: "%.1f ms", p.p99Milliseconds),
                           String(format: "%.1f ms", p.maxMilliseconds), p.exportsPerSecond > 0 ? String(format: "%.0f", p.exportsPerSecond) : ""])
            }
            Console.current.out(table.rendered)
            if !stages.isEmpty {
                Console.current.out(String(format: "burst: the %d Accepts themselves took %.0f ms", burst, acceptSeconds * 1000))
                Console.current.out("burst, median per stage: " + ["accepted → claimed", "claimed → written", "written → told"]
                    .map { "\($0) \(String(format: "%.1f ms", stages[$0] ?? 0))" }.joined(separator: ", "))
            }
        }
    }

    /// Median time between audit events: waiting for the agent, writing into Sage, telling Procore.
    static func stages(_ exports: [HubExport], stack: ExportStack) async throws -> [String: Double] {
        var gaps: [String: [Double]] = [:]
        for export in exports {
            let events = try await stack.storage.exportEvents(id: export.id, site: stack.site)
            func at(_ action: String) -> Date? { events.last { $0.action == action }?.at }
            for (name, from, to) in [("accepted → claimed", "accepted", "claimed"), ("claimed → written", "claimed", "written"), ("written → told", "written", "told")] {
                if let a = at(from), let b = at(to) { gaps[name, default: []].append(b.timeIntervalSince(a) * 1000) }
            }
        }
        return gaps.mapValues { values in values.sorted()[values.count / 2] }
    }

    /// Waits for Synced; latency comes from the recorded timestamps, so polling gently does not change it.
    static func synced(_ id: Int64, stack: ExportStack, every interval: Duration = .milliseconds(2)) async throws -> HubExport {
        let record = try await stack.waitFor(export: id, [.synced, .failed], timeout: .seconds(120), every: interval)
        guard record.status == .synced else {
            throw TielineError(.internalError, "export \(id) ended \(record.status.label): \(record.error ?? record.writeBack?.lastError ?? "timed out")")
        }
        return record
    }

    static func phase(_ name: String, _ exports: [HubExport], wall: TimeInterval) -> Phase {
        let latencies = exports.compactMap { e in e.syncedAt.flatMap { s in e.acceptedAt.map { s.timeIntervalSince($0) * 1000 } } }.sorted()
        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            return latencies[min(latencies.count - 1, Int((p * Double(latencies.count)).rounded(.up)) - 1)]
        }
        return Phase(phase: name, exports: exports.count, medianMilliseconds: percentile(0.5), p99Milliseconds: percentile(0.99),
                     maxMilliseconds: latencies.last ?? 0, exportsPerSecond: wall > 0 ? Double(exports.count) / wall : 0)
    }
}
