import Foundation
import SageStore
import SageModel
import SyncCore
import TielineCore

/// What to sync: one connection, optionally only some entities, with type and timeframe overrides.
public struct SyncRequest: Sendable {
    public var connection: LocalConnection
    /// Entity names as typed (`--only`); empty means every mapped entity.
    public var only: [String]
    /// Overrides the connection's saved Sync Type.
    public var type: SyncType?
    /// Overrides the connection's saved timeframe.
    public var timeframe: Timeframe?
    /// For a source without deletion records (ODBC): scan keys for deletions now, whenever the last scan was.
    public var keyScan: Bool

    public init(connection: LocalConnection, only: [String] = [], type: SyncType? = nil, timeframe: Timeframe? = nil, keyScan: Bool = false) {
        self.connection = connection
        self.only = only
        self.type = type
        self.timeframe = timeframe
        self.keyScan = keyScan
    }
}

/// How a sync runs: batch size, retries, and how messages name the destination.
public struct SyncOptions: Sendable {
    /// Rows (and tombstones) per batch; bounds the agent's memory.
    public var batchSize: Int
    public var retry: RetryPolicy
    /// How messages name the destination, e.g. `hub at https://hub.example.com`.
    public var destinationName: String
    /// Today, for resolving `last:90d`-style timeframes.
    public var today: @Sendable () -> CalendarDate
    public var makeRunID: @Sendable () -> String
    /// Batches sent before the oldest is acknowledged: the agent reads and encodes the next batches while the hub
    /// applies one (Deep sync on loopback, one → three: SQLite 222 k → 267–285 k rows/s, PostgreSQL 140 k (two) → 205 k; README).
    public var batchesInFlight = 3
    /// How often an incremental sync of a source without deletion records scans keys to find deletions.
    public var keyScanEvery: Duration = .seconds(24 * 3600)

    public init(batchSize: Int = 10_000, retry: RetryPolicy = RetryPolicy(), destinationName: String = "the hub",
                today: @escaping @Sendable () -> CalendarDate = { CalendarDate.today() },
                makeRunID: @escaping @Sendable () -> String = { UUID().uuidString.lowercased() }) {
        self.batchSize = max(1, batchSize)
        self.retry = retry
        self.destinationName = destinationName
        self.today = today
        self.makeRunID = makeRunID
    }
}

/// The agent's sync engine: reads mapped Sage entities in Row_Version order and sends them to a
/// destination in acknowledged, checkpointed batches; an interrupted run resumes with the same id.
///
/// Start one with `SyncRunner(state: .open(home:), destination: hubClient).run(SyncRequest(connection:))`.
public struct SyncRunner: Sendable {
    public let state: AgentState
    public let destination: any SyncDestination
    public var options: SyncOptions
    /// Set it to stop after the current batch (the run is recorded `interrupted`).
    public var stop: StopSignal
    public var onEvent: @Sendable (SyncEvent) -> Void

    public init(state: AgentState, destination: any SyncDestination, options: SyncOptions = SyncOptions(),
                stop: StopSignal = StopSignal(), onEvent: @escaping @Sendable (SyncEvent) -> Void = { _ in }) {
        self.state = state
        self.destination = destination
        self.options = options
        self.stop = stop
        self.onEvent = onEvent
    }

    /// Runs (or resumes) one sync and returns it as recorded in history.
    ///
    /// Throws only when the run cannot start (unknown connection data, unmapped entity, company
    /// missing); failures after that are recorded and returned with status `failed`/`interrupted`.
    public func run(_ request: SyncRequest) async throws(TielineError) -> SyncRunRecord {
        let connection = request.connection
        let company = try connection.openSource(home: state.folder.map { TielineHome(url: $0) })
        let entities = try SyncSelection.resolve(only: request.only, mappings: connection.mappings, ownsPJ: try company.ownsPJ(), connection: connection.name)
        let lock = try state.lock(connection: connection.name)
        defer { withExtendedLifetime(lock) {} }
        let (plan, resumed) = try makePlan(for: request, entities: entities, company: company)
        onEvent(.runStarted(runID: plan.id, connection: connection.name, type: plan.type, timeframe: plan.timeframe,
                            entities: plan.entities, resumed: resumed))
        var outcome: (SyncRunStatus, String?) = (.completed, nil)
        do {
            let start = SyncRunStart(runID: plan.id, connection: connection.name, type: plan.type, timeframe: plan.timeframe,
                                     startDate: plan.startDate, entities: plan.entities)
            try await retrying("opening the run") { try await destination.beginRun(start) }
            for entity in entities {
                try await sync(entity, plan: plan, company: company, mappings: connection.mappings, forceKeyScan: request.keyScan)
            }
            try await retrying("closing the run") { try await destination.finishRun(runID: plan.id, status: "completed", error: nil) }
        } catch let interruption as SyncInterruption {
            outcome = (.interrupted, interruption.message)
            if stop.isRequested {
                // A graceful stop: tell the hub once, without waiting on it.
                try? await destination.finishRun(runID: plan.id, status: "interrupted", error: interruption.message)
            }
        } catch where error is CancellationError || Task.isCancelled {
            // The task was cancelled (service group torn down): like a kill, resumable.
            outcome = (.interrupted, "cancelled during the run; the next run resumes from the last acknowledged batch")
        } catch {
            outcome = (.failed, Self.describe(error))
            try? await destination.finishRun(runID: plan.id, status: "failed", error: outcome.1)
        }
        try state.finishRun(id: plan.id, status: outcome.0, error: outcome.1)
        guard let record = try state.run(id: plan.id) else {
            throw TielineError(.agentState, "run \(plan.id) vanished from the agent state")
        }
        onEvent(.runFinished(record))
        return record
    }

    /// A resumable run with the same type, timeframe and entities is continued under its own id;
    /// any other stopped run is retired (safe: checkpoints only move on acknowledged batches).
    private func makePlan(for request: SyncRequest, entities: [SyncEntity], company: any SageSource) throws(TielineError) -> (plan: RunPlan, resumed: Bool) {
        let connection = request.connection
        let type = request.type ?? connection.settings.type
        let timeframe = request.timeframe ?? connection.settings.timeframe
        let names = entities.map(\.name)
        let newID = options.makeRunID()
        if let previous = try state.resumableRun(connection: connection.name) {
            if previous.type == type && previous.timeframe == timeframe && previous.entities == names {
                try state.reopenRun(id: previous.id)
                return (previous, true)
            }
            try state.abandonRun(id: previous.id, replacedBy: newID)
        }
        // Captured before reading anything, so changes made during the run are seen next time.
        let plan = RunPlan(id: newID, connection: connection.name, type: type, timeframe: timeframe,
                           startDate: timeframe.startDate(today: options.today()),
                           highWater: try company.currentRowVersion(), entities: names)
        var positions: [(entity: String, position: Int64, initialLoad: Bool)] = []
        for entity in entities {
            if type == .deep {
                positions.append((entity.name, 0, false))
            } else {
                let checkpoint = try state.checkpoint(connection: connection.name, entity: entity.name)
                positions.append((entity.name, checkpoint ?? 0, checkpoint == nil))
            }
        }
        try state.createRun(plan, positions: positions)
        return (plan, false)
    }

    /// Sends one entity from its recorded position to the end, batch by batch.
    private func sync(_ entity: SyncEntity, plan: RunPlan, company: any SageSource, mappings: Mappings, forceKeyScan: Bool) async throws {
        var progress = try state.progress(runID: plan.id, entity: entity.name)
        guard !progress.completed else { return }
        let columns = mappings.columns(for: entity)
        let reader = try company.reader(for: entity, columns: columns, startDate: plan.startDate)
        let mode: EntityReader.Mode = plan.type == .deep ? .deep : (progress.initialLoad ? .initialLoad : .changes)
        // Incremental reads stop at the run's high-water mark so a busy company cannot keep a run going.
        let cap: Int64? = plan.type == .deep || reader.ownsMarkers ? nil : plan.highWater
        let sentBefore = progress.upserts + progress.deletes
        // Without deletion records the keys sent are kept, so a later key scan can tell what Sage deleted.
        let keyIndexes = try entity.keyIndexes(in: columns)
        let recordsKeys = !company.recordsDeletions
        let fromStart = progress.position == 0 && progress.batches == 0 && mode != .changes
        let position = progress.position
        let estimate = try await Offload.run { try reader.estimate(after: position, cap: cap, mode: mode) }
        let meter = ProgressMeter(entity: entity.name, baseline: sentBefore, estimatedRows: sentBefore + estimate)
        onEvent(.entityStarted(entity: entity.name, estimatedRows: meter.estimatedRows))
        // Batches sent before a crash are rebuilt first, each exactly as it was, then reading goes on.
        var rebuild = progress.pending
        var readPosition = progress.position
        // Batches sent and not yet acknowledged, oldest first (several at once keep agent and hub both busy).
        var inFlight: [InFlightBatch] = []
        let window = max(1, options.batchesInFlight)
        // The next chunk, read while the destination works on the batches in flight.
        var readAhead: Task<EntityReader.Chunk, any Error>?
        defer { readAhead?.cancel() }
        try await withThrowingTaskGroup(of: (sequence: Int, ack: SyncBatchAck).self) { group in
            var acks: [Int: SyncBatchAck] = [:]
            /// Records acknowledgments in sequence order until fewer than `limit` batches are in flight.
            func settle(below limit: Int) async throws {
                while inFlight.count >= limit, let oldest = inFlight.first {
                    guard acks.removeValue(forKey: oldest.sequence) != nil else {
                        guard let done = try await group.next() else { return }
                        acks[done.sequence] = done.ack
                        continue
                    }
                    inFlight.removeFirst()
                    try state.recordAck(plan: plan, entity: entity.name, through: oldest.through, upserts: oldest.upserts,
                                        deletes: oldest.deletes, batch: true, stillPending: inFlight.map(\.through))
                    progress.position = oldest.through
                    progress.nextSequence += 1
                    progress.batches += 1
                    progress.upserts += oldest.upserts
                    progress.deletes += oldest.deletes
                    onEvent(.progress(meter.snapshot(rows: progress.upserts + progress.deletes, batches: progress.batches)))
                }
            }
            /// A stop lets the batches already sent finish and be recorded; the next run resumes after them.
            func stopIfRequested() async throws {
                guard stop.isRequested else { return }
                try await settle(below: 1)
                throw SyncInterruption(message: "stopped on request during \(entity.name) after \(progress.batches) batch(es); the next run resumes here")
            }
            while true {
                try await stopIfRequested()
                let bound: EntityReader.Bound = rebuild.first.map { .exact(through: $0) } ?? .limit(options.batchSize, cap: cap)
                let chunk: EntityReader.Chunk
                if let prefetched = readAhead {
                    chunk = try await prefetched.value
                    readAhead = nil
                } else {
                    let position = readPosition
                    chunk = try await Offload.run { try reader.read(after: position, bound: bound, mode: mode) }
                }
                // A batch sent before a crash is re-sent even if empty now: its sequence may be taken.
                let rebuilt = !rebuild.isEmpty
                if rebuilt { rebuild.removeFirst() }
                if chunk.isEmpty && !rebuilt {
                    try await settle(below: 1)
                    if chunk.through > progress.position {
                        try state.recordAck(plan: plan, entity: entity.name, through: chunk.through, upserts: 0, deletes: 0, batch: false)
                        progress.position = chunk.through
                    }
                    break
                }
                // After a short chunk of a limited read nothing is left; a rebuilt batch is never the last.
                var last = false
                if case .limit = bound { last = chunk.exhausted }
                try await settle(below: window)
                // Two batches holding one key must reach the hub in order (a row changed mid-run): wait for the earlier.
                // One batch at a time never has another in flight here, so its keys are not even collected.
                let keys = window > 1 ? BatchKeys(chunk, keyIndexes: keyIndexes) : .none
                if inFlight.contains(where: { $0.keys.overlaps(keys) }) { try await settle(below: 1) }
                try await stopIfRequested()
                let sequence = progress.nextSequence + inFlight.count
                inFlight.append(InFlightBatch(sequence: sequence, through: chunk.through, upserts: chunk.upsertCount,
                                              deletes: chunk.deletes.count, keys: keys))
                try state.recordPending(runID: plan.id, entity: entity.name, pending: inFlight.map(\.through))
                readPosition = chunk.through
                if !last {
                    // It starts exactly where this batch ends.
                    let (after, nextBound) = (chunk.through, rebuild.first.map { EntityReader.Bound.exact(through: $0) } ?? .limit(options.batchSize, cap: cap))
                    readAhead = Task { try await Offload.run { try reader.read(after: after, bound: nextBound, mode: mode) } }
                }
                if recordsKeys, chunk.upsertCount > 0 {
                    try state.recordSentKeys(chunk.upsertKeys(keyIndexes), connection: plan.connection,
                                             entity: entity.name, fromStart: fromStart)
                }
                // Only the encoded bytes stay in flight (a third of the decoded rows' memory); a retry re-sends them as they are.
                let batch = SyncBatch(runID: plan.id, entity: entity.name, sequence: sequence, columns: columns, key: entity.table.key,
                                      dateColumn: entity.dateColumn, upserts: chunk.upserts, deletes: chunk.deletes, throughVersion: chunk.through)
                let encoded = chunk.encoded.map { SyncWire.encode(batch, upserts: $0) } ?? SyncWire.encode(batch)
                let header = SyncBatchHeader(runID: plan.id, entity: entity.name, sequence: sequence)
                group.addTask {
                    (sequence, try await self.retrying("sending \(entity.name) batch \(sequence)") {
                        try await destination.send(encoded: encoded, header: header)
                    })
                }
                if last { break }
            }
            try await settle(below: 1)
        }
        if !company.recordsDeletions && plan.type == .incremental {
            try await scanForDeletions(entity, reader: reader, columns: columns, plan: plan, progress: &progress, force: forceKeyScan)
        }
        if plan.type == .deep {
            let completion = EntityCompletion(runID: plan.id, entity: entity.name, rowCount: progress.upserts)
            try await retrying("completing \(entity.name)") { try await destination.completeEntity(completion) }
            try state.completeEntity(plan: plan, entity: entity.name, checkpoint: reader.ownsMarkers ? progress.position : plan.highWater)
        } else {
            try state.completeEntity(plan: plan, entity: entity.name, checkpoint: nil)
        }
        onEvent(.entityFinished(entity: entity.name, upserts: progress.upserts, deletes: progress.deletes, batches: progress.batches))
    }

    /// Calls the destination, waiting out transient failures with backoff and jitter; gives up
    /// (run `interrupted`, resumable) after the policy's maximum wait.
    func retrying<T: Sendable>(_ what: String, _ operation: () async throws -> T) async throws -> T {
        var attempt = 0
        var waited = Duration.zero
        while true {
            do {
                return try await operation()
            } catch {
                if stop.isRequested || Task.isCancelled {
                    throw SyncInterruption(message: "stopped on request while \(what); the next run resumes from the last acknowledged batch")
                }
                guard options.retry.isTransient(error) else { throw error }
                let delay = options.retry.delay(attempt: attempt)
                guard waited + delay <= options.retry.maxWait else {
                    throw SyncInterruption(message: "\(options.destinationName) did not answer for \(waited.shortDescription) while \(what) (\(Self.describe(error))); the next run resumes from the last acknowledged batch")
                }
                attempt += 1
                // A hub that answered with a temporary failure is not "not answering".
                let answered = (error as? TielineError).map { WireErrorCode($0) != .hubTransport } ?? false
                let what = answered ? "reported a temporary failure" : "is not answering"
                onEvent(.waiting(message: "\(options.destinationName) \(what); retrying in \(delay.shortDescription)… (\(Self.describe(error)))",
                                 retryIn: delay, attempt: attempt))
                guard await stop.wait(delay, clock: options.retry.clock) else {
                    throw SyncInterruption(message: "stopped on request while waiting for \(options.destinationName); the next run resumes from the last acknowledged batch")
                }
                waited += delay
            }
        }
    }

    /// A batch sent and not yet acknowledged.
    struct InFlightBatch {
        var sequence: Int
        var through: Int64
        var upserts: Int
        var deletes: Int
        /// Every key it upserts or deletes.
        var keys: BatchKeys
    }

    static func describe(_ error: any Error) -> String {
        (error as? TielineError)?.message ?? "\(error)"
    }
}
