import Agent
import Foundation
import Logging
import SageStore
import ServiceLifecycle
import SyncCore
import Testing
import TielineCore
@testable import AgentConsole

/// A hub stand-in whose first batch is held until the test lets it through.
final class HeldDestination: SyncDestination {
    /// Requested when the first batch arrives.
    let sending = StopSignal()
    /// Requested by the test to let the batches through.
    let release = StopSignal()

    func beginRun(_ start: SyncRunStart) async throws {}
    func send(_ batch: SyncBatch) async throws -> SyncBatchAck {
        sending.request()
        await release.requested()
        return SyncBatchAck(entity: batch.entity, sequence: batch.sequence, applied: batch.upserts.count + batch.deletes.count, duplicate: false)
    }
    func completeEntity(_ completion: EntityCompletion) async throws {}
    func finishRun(runID: String, status: String, error: String?) async throws {}
}

@Suite("Agent console: syncs run as children of the console's service", .timeLimit(.minutes(2)))
struct SyncJobsTests {
    /// An agent home with one connection to a sample company and a hub (never called: the test's destination stands in).
    func home() throws -> TielineHome {
        let folder = makeTempFolder("tieline-console-jobs")
        let home = TielineHome(url: folder.appendingPathComponent("agent"))
        let companyPath = folder.appendingPathComponent("company.sqlite").path
        _ = try SampleCompanyGenerator.create(at: companyPath, spec: SampleCompanySpec(jobs: 3, transactions: 300, seed: 7, withPJ: true))
        let store = AgentConfigStore(home: home)
        _ = try store.connect(url: "http://hub.test", site: "acme", token: "tl_test_token")
        _ = try store.addConnection(name: "Company", sagePath: companyPath)
        _ = try store.applyPCCOPreset(connection: "Company", strict: false, dryRun: false)
        _ = try store.setSyncSettings(connection: "Company", type: .deep, timeframe: .beginningOfTime)
        return home
    }

    @Test("a graceful shutdown stops a running sync after its batch, records it interrupted, and waits for it")
    func gracefulShutdownStopsTheRunningSync() async throws {
        let home = try home()
        let jobs = SyncJobs()
        let destination = HeldDestination()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let group = ServiceGroup(configuration: .init(services: [jobs], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let id = jobs.start([SyncJobs.Item(connection: "Company", entities: ["Customer", "Transaction (JC)", "Contract Item (CN)"])],
                                home: home) { _, _ in (destination, "the test hub") }
            // The first batch is on its way (and held), unless the job failed before it.
            for _ in 0..<1_000 where !destination.sending.isRequested && jobs.job(id)?.finished == false {
                try await Task.sleep(for: .milliseconds(10))
            }
            try #require(destination.sending.isRequested, "no batch was sent: \(String(describing: jobs.job(id)))")
            await group.triggerGracefulShutdown()
            // The group waits for the job, which waits for its batch.
            try await Task.sleep(for: .milliseconds(300))
            #expect(jobs.job(id)?.finished == false)
            destination.release.request()
            try await tasks.next()
            let job = try #require(jobs.job(id))
            #expect(job.finished)
            #expect(job.connections.first?.status == "interrupted")
            // Started after the shutdown: refused, and said so on its progress page.
            let late = jobs.start([SyncJobs.Item(connection: "Company", entities: ["Customer"])], home: home) { _, _ in (destination, "the test hub") }
            #expect(jobs.job(late)?.finished == true)
            #expect(jobs.job(late)?.connections.first?.message == "the console is shutting down")
        }
    }
}
