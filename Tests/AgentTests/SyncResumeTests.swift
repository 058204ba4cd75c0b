import Foundation
import GRDB
import SageStore
import SageModel
import SyncCore
import Testing
import TielineCore
@testable import Agent

@Suite("Sync engine: interruption, resume, retries, history")
struct SyncResumeTests {
    @Test("a run interrupted after N acknowledged batches resumes with the same id; mirror == source, nothing applied twice")
    func interruptedRunResumes() async throws {
        let fixture = try SageFixture()
        try fixture.seed(jobs: 4, transactions: 40)
        let destination = MirrorDestination()
        await destination.goDown(afterApplied: 9)
        let state = try AgentState.inMemory()
        let runner = SyncRunner(state: state, destination: destination, options: SyncTest.options(maxWait: .seconds(10)))
        let connection = SyncTest.connection(fixture)
        let first = try await runner.run(SyncRequest(connection: connection))
        #expect(first.status == .interrupted)
        #expect(first.error?.contains("hub at http://hub.test did not answer") == true)
        #expect(first.rowsSent > 0)

        // Sage keeps changing while the hub is away, in entities the run has not reached yet
        // (a change to a finished entity is past the run's start marker: the next run sends it).
        try fixture.execute("UPDATE JCM_MASTER__COST_CODE SET Description = 'Changed meanwhile' WHERE Job = 'J03' AND Cost_Code = '01-100'")
        try fixture.write { db in try SageFixture.insertTransaction(db, run: 2, sequence: 1, date: "2026-05-05") }
        await destination.set(down: false)
        let second = try await runner.run(SyncRequest(connection: connection))
        #expect(second.id == first.id, "the same run id, so the hub can dedupe")
        #expect(second.status == .completed)
        #expect(await destination.duplicateAcks == 0)
        let sequences = await destination.received.map { "\($0.entity)#\($0.sequence)" }
        // The batch that met the outage went 4 times (first try + 3 retries) and once more on resume.
        #expect(Set(sequences).count == sequences.count - 4, "only the batch that failed was sent again")
        try await SyncTest.expectMirrored(destination, fixture)
        #expect(try state.history(connection: "main").map(\.status) == [.completed])
    }

    /// 30 jobs (six batches of five), and a hub that applies a third batch, loses its acknowledgment and goes down.
    static func thirtyJobsAndAHubThatLosesTheThirdAck() async throws -> (SageFixture, MirrorDestination) {
        let fixture = try SageFixture()
        try fixture.seed(jobs: 6, transactions: 0)
        for j in 7...30 {
            try fixture.insert(SageSchema.job, ["Job": String(format: "J%02d", j), "Status": "In progress", "Billing_Method": "Contract",
                                                "Description": "Job \(j)"])
        }
        let destination = MirrorDestination()
        await destination.goDown(afterApplied: 2, losingAck: true)
        return (fixture, destination)
    }

    @Test("two batches in flight: one applied with its acknowledgment lost, the next refused; both are re-sent as their ranges, no gap")
    func lostAcknowledgmentWithTwoInFlight() async throws {
        let (fixture, destination) = try await Self.thirtyJobsAndAHubThatLosesTheThirdAck()
        let state = try AgentState.inMemory()
        let runner = SyncRunner(state: state, destination: destination, options: SyncTest.options(maxWait: .seconds(3), inFlight: 2))
        let connection = SyncTest.connection(fixture, settings: SyncSettings(type: .incremental, timeframe: .beginningOfTime))
        let first = try await runner.run(SyncRequest(connection: connection, only: ["Job (CV)"]))
        #expect(first.status == .interrupted)
        #expect(await destination.rows(EntityCatalog.job).count == 15, "three batches of five applied, the third unacknowledged")
        let pending = try state.progress(runID: first.id, entity: "Job (CV)").pending
        #expect(pending.count == 2, "both batches in flight are remembered: \(pending)")

        // A job of the applied-but-unacknowledged batch changes: it moves past that batch's range.
        let applied = await destination.received.first { $0.sequence == 2 }!.upserts.map { $0[0] }
        guard case .text(let moved) = applied[1] else { Issue.record("no job in the batch"); return }
        try fixture.execute("UPDATE JCM_MASTER__JOB SET Description = 'Moved on' WHERE Job = ?", [moved])
        await destination.set(down: false)
        let second = try await runner.run(SyncRequest(connection: connection, only: ["Job (CV)"]))
        #expect(second.id == first.id && second.status == .completed)
        #expect(await destination.duplicateAcks == 1, "the applied one is recognised by its sequence")
        #expect(await destination.rows(EntityCatalog.job).count == 30, "no gap")
        _ = try await runner.run(SyncRequest(connection: connection, only: ["Job (CV)"]))
        try await SyncTest.expectMirrored(destination, fixture, entities: [EntityCatalog.job])
    }

    @Test("a batch applied by the hub whose acknowledgment was lost is re-sent as the same range; no gap")
    func lostAcknowledgmentLeavesNoGap() async throws {
        let (fixture, destination) = try await Self.thirtyJobsAndAHubThatLosesTheThirdAck()
        let state = try AgentState.inMemory()
        let runner = SyncRunner(state: state, destination: destination, options: SyncTest.options(maxWait: .seconds(3), inFlight: 1))
        let connection = SyncTest.connection(fixture, settings: SyncSettings(type: .incremental, timeframe: .beginningOfTime))
        let first = try await runner.run(SyncRequest(connection: connection, only: ["Job (CV)"]))
        #expect(first.status == .interrupted)
        #expect(await destination.rows(EntityCatalog.job).count == 15, "three batches of five applied, the third unacknowledged")

        // A job inside the unacknowledged batch changes: it moves past the batch's range.
        let pending = await destination.received.last!.upserts.map { $0[0] }
        guard case .text(let moved) = pending[1] else { Issue.record("no job in the batch"); return }
        try fixture.execute("UPDATE JCM_MASTER__JOB SET Description = 'Moved on' WHERE Job = ?", [moved])
        await destination.set(down: false)
        let second = try await runner.run(SyncRequest(connection: connection, only: ["Job (CV)"]))
        #expect(second.id == first.id && second.status == .completed)
        #expect(await destination.duplicateAcks == 1, "the re-sent batch is recognised by its sequence")
        let resent = await destination.received.filter { $0.runID == first.id && $0.sequence == 2 }
        #expect(resent.count == 4 && Set(resent.map(\.throughVersion)).count == 1, "same sequence, same range")
        #expect(resent.last?.upserts.count == 4, "the moved job left the range")
        // Every job but the moved one is current; the moved one changed after the run's
        // high-water mark, so the next run brings it.
        let mirrored = await destination.rows(EntityCatalog.job)
        var expected = try fixture.source(EntityCatalog.job, columns: SyncTest.mappings().columns(for: EntityCatalog.job))
        #expect(mirrored.count == 30)
        expected[[.text(moved)]] = mirrored[[.text(moved)]]
        #expect(mirrored == expected)
        _ = try await runner.run(SyncRequest(connection: connection, only: ["Job (CV)"]))
        try await SyncTest.expectMirrored(destination, fixture, entities: [EntityCatalog.job])
        #expect(await destination.rows(EntityCatalog.job)[[.text(moved)]]?["Description"] == .text("Moved on"))
    }

    @Test("a destination that fails k times then recovers is retried with exponential backoff")
    func transientFailuresAreRetried() async throws {
        let fixture = try SageFixture()
        try fixture.seed(jobs: 2, transactions: 3)
        let destination = MirrorDestination()
        await destination.failNext(4)
        let clock = VirtualClock()
        let events = EventLog()
        let runner = SyncRunner(state: try .inMemory(), destination: destination,
                                options: SyncTest.options(clock: clock), onEvent: events.record)
        let record = try await runner.run(SyncRequest(connection: SyncTest.connection(fixture)))
        #expect(record.status == .completed)
        #expect(events.waitingMessages.map { $0.components(separatedBy: " (").first! } == [
            "hub at http://hub.test is not answering; retrying in 1s…",
            "hub at http://hub.test is not answering; retrying in 2s…",
            "hub at http://hub.test is not answering; retrying in 4s…",
            "hub at http://hub.test is not answering; retrying in 8s…",
        ])
        #expect(clock.totalSlept == .seconds(15))
        try await SyncTest.expectMirrored(destination, fixture)
    }

    @Test("backoff is capped and jittered into the upper half of its nominal wait")
    func backoffShape() {
        let policy = RetryPolicy(initialDelay: .seconds(1), maxDelay: .seconds(30), jitter: { 0 })
        #expect(policy.delay(attempt: 0) == .milliseconds(500))
        #expect(policy.delay(attempt: 3) == .seconds(4))
        #expect(policy.delay(attempt: 50) == .seconds(15))
        #expect(RetryPolicy.defaultIsTransient(HubDown()))
        #expect(!RetryPolicy.defaultIsTransient(TielineError(.init("unauthorized"), "token refused")))
    }

    @Test("a permanent refusal fails the run at once, recorded with its error; the next run starts afresh")
    func permanentErrorFailsRun() async throws {
        let fixture = try SageFixture()
        try fixture.seed(jobs: 2, transactions: 0)
        let destination = MirrorDestination()
        await destination.set(down: true)
        var options = SyncTest.options()
        options.retry.isTransient = { _ in false }
        let state = try AgentState.inMemory()
        let failed = try await SyncRunner(state: state, destination: destination, options: options)
            .run(SyncRequest(connection: SyncTest.connection(fixture)))
        #expect(failed.status == .failed)
        #expect(failed.error == "connection refused")
        await destination.set(down: false)
        let next = try await SyncRunner(state: state, destination: destination, options: SyncTest.options())
            .run(SyncRequest(connection: SyncTest.connection(fixture)))
        #expect(next.id != failed.id && next.status == .completed)
    }

    @Test("a stop request finishes the current batch, records the run interrupted, and it resumes")
    func stopRequestInterrupts() async throws {
        let fixture = try SageFixture()
        try fixture.seed(jobs: 2, transactions: 30)
        let destination = MirrorDestination()
        let stop = StopSignal()
        let state = try AgentState.inMemory()
        let runner = SyncRunner(state: state, destination: destination, options: SyncTest.options(inFlight: 1), stop: stop) { event in
            if case .progress(let progress) = event, progress.entity == "Transaction (JC)", progress.batches == 2 { stop.request() }
        }
        let first = try await runner.run(SyncRequest(connection: SyncTest.connection(fixture)))
        #expect(first.status == .interrupted)
        #expect(first.entities["Transaction (JC)"]?.batches == 2)
        #expect(await destination.finished.map(\.status) == ["interrupted"])
        let resumed = try await SyncRunner(state: state, destination: destination, options: SyncTest.options())
            .run(SyncRequest(connection: SyncTest.connection(fixture)))
        #expect(resumed.id == first.id && resumed.status == .completed)
        #expect(resumed.entities["Transaction (JC)"] == EntityCounts(upserts: 30, deletes: 0, batches: 6, status: "completed"))
        try await SyncTest.expectMirrored(destination, fixture)
    }

    @Test("a different request retires a stopped run instead of resuming it")
    func differentRequestRetiresStoppedRun() async throws {
        let fixture = try SageFixture()
        try fixture.seed(jobs: 3, transactions: 10)
        let destination = MirrorDestination()
        await destination.goDown(afterApplied: 3)
        let state = try AgentState.inMemory()
        let connection = SyncTest.connection(fixture)
        let stopped = try await SyncRunner(state: state, destination: destination, options: SyncTest.options(maxWait: .seconds(2)))
            .run(SyncRequest(connection: connection))
        await destination.set(down: false)
        let incremental = try await SyncRunner(state: state, destination: destination, options: SyncTest.options())
            .run(SyncRequest(connection: connection, type: .incremental))
        #expect(incremental.id != stopped.id && incremental.status == .completed)
        let retired = try #require(try state.run(id: stopped.id))
        #expect(retired.status == .interrupted && retired.error?.contains("not resumed: replaced by run \(incremental.id)") == true)
        try await SyncTest.expectMirrored(destination, fixture)
    }

    @Test("history records every run newest first, with per-entity counts and errors")
    func historyRecordsRuns() async throws {
        let fixture = try SageFixture()
        try fixture.seed(jobs: 2, transactions: 2)
        let destination = MirrorDestination()
        let state = try AgentState.inMemory()
        let runner = SyncRunner(state: state, destination: destination, options: SyncTest.options())
        let connection = SyncTest.connection(fixture)
        let deep = try await runner.run(SyncRequest(connection: connection, only: ["Job"]))
        let incremental = try await runner.run(SyncRequest(connection: connection, only: ["Job"], type: .incremental))
        let history = try state.history()
        #expect(history.map(\.id) == [incremental.id, deep.id])
        #expect(history[1].entities == ["Job (CV)": EntityCounts(upserts: 2, deletes: 0, batches: 1, status: "completed")])
        #expect(history[0].entities == ["Job (CV)": EntityCounts(upserts: 0, deletes: 0, batches: 0, status: "completed")])
        #expect(history.allSatisfy { $0.finishedAt != nil && $0.error == nil })
        #expect(try state.history(connection: "other").isEmpty)
    }

    @Test("agent.sqlite keeps sync_run in the shape doctor reads")
    func syncRunSchema() throws {
        let state = try AgentState.inMemory()
        let columns = try state.writer.read { db in try db.columns(in: "sync_run").map(\.name) }
        #expect(columns == ["id", "connection", "type", "timeframe", "started_at", "finished_at", "status", "entities", "error"])
    }
}

@Suite("Sync events and messages")
struct SyncEventTests {
    @Test("a hub that answers with a temporary failure is told apart from one that is silent")
    func temporaryFailureMessage() async throws {
        let fixture = try SageFixture()
        try fixture.seed(jobs: 1, transactions: 0)
        let destination = FlakyDestination(failures: [TielineError(.init("storage_failure"), "disk busy"),
                                                     TielineError(.init("hub_transport"), "cannot reach the hub")])
        let events = EventLog()
        let record = try await SyncRunner(state: try .inMemory(), destination: destination, options: SyncTest.options(),
                                          onEvent: events.record).run(SyncRequest(connection: SyncTest.connection(fixture), only: ["Job"]))
        #expect(record.status == .completed)
        #expect(events.waitingMessages == [
            "hub at http://hub.test reported a temporary failure; retrying in 1s… (disk busy)",
            "hub at http://hub.test is not answering; retrying in 2s… (cannot reach the hub)",
        ])
    }

    @Test("events print as one JSON object per line")
    func jsonLines() throws {
        let progress = SyncEvent.progress(SyncProgress(entity: "Transaction (JC)", rows: 20_000, estimatedRows: 100_000, batches: 2,
                                                       rowsPerSecond: 123_456.78, etaSeconds: 0.648))
        #expect(progress.jsonLine == #"{"batches":2,"entity":"Transaction (JC)","estimated_rows":100000,"eta_seconds":0.6,"event":"progress","rows":20000,"rows_per_second":123456.8}"#)
        let waiting = SyncEvent.waiting(message: "hub at X is not answering; retrying in 4s…", retryIn: .seconds(4), attempt: 3)
        let object = try JSONSerialization.jsonObject(with: Data(waiting.jsonLine.utf8)) as? [String: Any]
        #expect(object?["event"] as? String == "waiting" && object?["retry_in_seconds"] as? Double == 4)
    }
}

/// Fails each call with the next listed error, then works (it keeps nothing).
actor FlakyDestination: SyncDestination {
    private var failures: [any Error]
    init(failures: [any Error]) { self.failures = failures }
    private func fault() throws { if !failures.isEmpty { throw failures.removeFirst() } }
    func beginRun(_ start: SyncRunStart) async throws { try fault() }
    func send(_ batch: SyncBatch) async throws -> SyncBatchAck {
        try fault()
        return SyncBatchAck(entity: batch.entity, sequence: batch.sequence, applied: batch.upserts.count, duplicate: false)
    }
    func completeEntity(_ completion: EntityCompletion) async throws { try fault() }
    func finishRun(runID: String, status: String, error: String?) async throws { try fault() }
}

/// Applies batches through a mirror, then hangs inside `send` after `hangAfter` batches:
/// the agent is cut off mid-call, as when its process is killed.
actor HangingDestination: SyncDestination {
    let inner: MirrorDestination
    private var hangAfter: Int?
    private var sent = 0
    private(set) var hung = false

    init(inner: MirrorDestination, hangAfter: Int) {
        self.inner = inner
        self.hangAfter = hangAfter
    }

    func beginRun(_ start: SyncRunStart) async throws { try await inner.beginRun(start) }
    func send(_ batch: SyncBatch) async throws -> SyncBatchAck {
        let ack = try await inner.send(batch)
        sent += 1
        if let limit = hangAfter, sent > limit {
            hangAfter = nil
            hung = true
            // Applied, but the acknowledgment never comes back.
            try await Task.sleep(for: .seconds(3_600))
        }
        return ack
    }
    func completeEntity(_ completion: EntityCompletion) async throws { try await inner.completeEntity(completion) }
    func finishRun(runID: String, status: String, error: String?) async throws { try await inner.finishRun(runID: runID, status: status, error: error) }
}

@Suite("Sync engine: cut off mid-call")
struct SyncCutOffTests {
    @Test("a run cut off inside a send (cancelled, like a killed process) is interrupted and resumes without gap or double apply",
          arguments: [1, 2])
    func cutOffMidSend(inFlight: Int) async throws {
        let fixture = try SageFixture()
        try fixture.seed(jobs: 4, transactions: 30)
        let mirror = MirrorDestination()
        let hanging = HangingDestination(inner: mirror, hangAfter: 12)
        let state = try AgentState.inMemory()
        let connection = SyncTest.connection(fixture)
        let task = Task { try await SyncRunner(state: state, destination: hanging, options: SyncTest.options(inFlight: inFlight)).run(SyncRequest(connection: connection)) }
        while await !hanging.hung { await Task.yield() }
        task.cancel()
        let first = try await task.value
        #expect(first.status == .interrupted)
        let pending = try await state.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sync_run_entity WHERE pending_through IS NOT NULL")
        }
        #expect(pending == 1, "the batch in flight is remembered")
        let second = try await SyncRunner(state: state, destination: mirror, options: SyncTest.options()).run(SyncRequest(connection: connection))
        #expect(second.id == first.id && second.status == .completed)
        // Every batch in flight when it was cut off is sent again under its sequence; the hub had applied them.
        let duplicates = await mirror.duplicateAcks
        #expect(duplicates >= 1 && duplicates <= inFlight, "\(duplicates) duplicate(s) with \(inFlight) in flight")
        try await SyncTest.expectMirrored(mirror, fixture)
    }
}
