import Foundation
import Agent
import GRDB
import Hub
import ProcoreSandbox
import SageStore
import SageModel
import Testing
@testable import TielineCLI
import TielineCore

/// Exactly once across crashes and restarts, with the real `tieline agent run` process.
@Suite("Exports survive crashes", .serialized, .timeLimit(.minutes(5)))
struct ExportCrashTests {
    @Test func agentKilledAfterTheSageCommitRestartsAndTheExportEndsSyncedOnce() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: KilledAgentTests.binary.path),
                     "build the tieline executable first (swift build --build-tests builds it)")
        try await ExportEndToEndTests.withStack(agent: false, hubApproval: true) { stack in
            let pcco = try ExportEndToEndTests.createPCCO(stack, number: "021")
            let queued = try await DemoCommand.arrival(of: pcco.id, stack: stack)
            _ = try await stack.hub.queue.accept(id: queued.id, site: stack.site, actor: "alice")
            let reference = "procore:pcco:\(pcco.id)"

            // First agent: dies by SIGKILL right after Sage commits, before telling the hub.
            let first = try launchAgent(home: stack.agentHome.url, failpoint: "kill-after-sage-commit")
            // Waited for without blocking a thread: the hub it talks to runs in this process.
            let deadline = ContinuousClock.now + .seconds(120)
            while first.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            try #require(!first.isRunning, "the agent should have died at the failpoint")
            #expect(first.terminationReason == .uncaughtSignal)
            #expect(first.terminationStatus == SIGKILL)
            #expect(try ExportEndToEndTests.changeOrders(stack, reference: reference) == 1)
            let entries = try ExportEndToEndTests.unpostedEntries(stack, reference: reference)
            #expect(entries > 0)
            let limbo = try await stack.hub.queue.record(id: queued.id, site: stack.site)
            #expect(limbo.status == .exporting)
            #expect(limbo.result == nil)

            // Restarted agent: the hub delivers again, the writer finds it written, the export ends Synced.
            let second = try launchAgent(home: stack.agentHome.url, failpoint: nil)
            defer { if second.isRunning { second.terminate(); second.waitUntilExit() } }
            let done = try await stack.waitFor(export: queued.id, [.synced, .failed], timeout: .seconds(60))
            #expect(done.status == .synced)
            #expect(done.deliveries == 2)
            #expect(done.result?.alreadyWritten == true)
            #expect(try ExportEndToEndTests.changeOrders(stack, reference: reference) == 1)
            #expect(try ExportEndToEndTests.unpostedEntries(stack, reference: reference) == entries)
            let actions = try await stack.storage.exportEvents(id: done.id, site: stack.site).map(\.action)
            #expect(actions == ["received", "accepted", "claimed", "released", "claimed", "written", "told"])
        }
    }

    /// A write path with one commit per record (`--write-mode steps`): the agent process is killed
    /// before and after every step of a PCCO in turn, restarted each time, and Sage ends with exactly
    /// one change order and one set of JC entries, every time.
    @Test func killedAtEveryStepOfAStepByStepExportTheRestartedAgentWritesItExactlyOnce() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: KilledAgentTests.binary.path),
                     "build the tieline executable first (swift build --build-tests builds it)")
        try await ExportEndToEndTests.withStack(agent: false, hubApproval: true) { stack in
            let store = AgentConfigStore(home: stack.agentHome)
            for connection in try store.load().connections {
                try store.updateConnection(connection.name) { $0.writeMode = .steps }
            }
            var runs = 0
            var ordinal = 0, steps = 1
            while ordinal < steps {
                for moment in ["before", "after"] {
                    runs += 1
                    let pcco = try ExportEndToEndTests.createPCCO(stack, number: String(format: "K%02d", runs))
                    let queued = try await DemoCommand.arrival(of: pcco.id, stack: stack)
                    _ = try await stack.hub.queue.accept(id: queued.id, site: stack.site, actor: "alice")
                    let plan = try EmbeddedExportTarget(company: stack.company).withLookup { lookup in
                        try ExportPlan.make(queued.export, transactionDate: queued.export.transactionDate ?? CalendarDate.today(), lookup: lookup)
                    }
                    steps = plan.steps.count
                    let reference = "procore:pcco:\(pcco.id)"

                    let failpoint = "kill-\(moment)-step:\(ordinal)"
                    let first = try launchAgent(home: stack.agentHome.url, failpoint: failpoint)
                    let deadline = ContinuousClock.now + .seconds(120)
                    while first.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                    try #require(!first.isRunning, "the agent should have died at \(failpoint)")
                    #expect(first.terminationStatus == SIGKILL, "\(failpoint)")

                    let second = try launchAgent(home: stack.agentHome.url, failpoint: nil)
                    defer { if second.isRunning { second.terminate(); second.waitUntilExit() } }
                    let done = try await stack.waitFor(export: queued.id, [.synced, .failed], timeout: .seconds(60))
                    #expect(done.status == .synced, "\(failpoint): \(done.error ?? "")")
                    #expect(try ExportEndToEndTests.changeOrders(stack, reference: reference) == 1, "\(failpoint)")
                    let entries = plan.steps.filter { if case .jcEntry = $0 { true } else { false } }.count
                    #expect(try ExportEndToEndTests.unpostedEntries(stack, reference: reference) == entries, "\(failpoint)")
                    #expect(done.result?.total == plan.total, "\(failpoint)")
                    second.terminate()
                    second.waitUntilExit()
                }
                ordinal += 1
            }
            #expect(steps >= 4 && runs == 2 * steps, "every step of the plan was a failpoint, before and after")
        }
    }

    @Test func anAcceptedExportSurvivesAHubRestart() async throws {
        try await ExportEndToEndTests.withStack(agent: false, hubApproval: true) { stack in
            let pcco = try ExportEndToEndTests.createPCCO(stack, number: "022")
            let queued = try await DemoCommand.arrival(of: pcco.id, stack: stack)
            _ = try await stack.hub.queue.accept(id: queued.id, site: stack.site, actor: "alice")
            // The hub process goes away; a new one opens the same database file.
            let reopened = try SQLiteHubStorage(path: stack.storage.path)
            #expect(try await reopened.export(id: queued.id, site: stack.site)?.status == .accepted)
            #expect(try await reopened.claimExport(site: stack.site, agent: "after-restart", now: Date(), lease: 60)?.id == queued.id)
        }
    }

    func launchAgent(home: URL, failpoint: String?) throws -> Process {
        let process = Process()
        process.executableURL = KilledAgentTests.binary
        process.arguments = ["agent", "run", "--home", home.path, "--interval", "3600"]
        var environment = ProcessInfo.processInfo.environment
        environment["TIELINE_FAILPOINT"] = failpoint
        process.environment = environment
        let log = home.appendingPathComponent("agent-\(failpoint ?? "plain").log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }
}
