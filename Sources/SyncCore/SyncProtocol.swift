import TielineCore

/// One value of a mirrored row: Sage columns are text, integers (including money in cents) or NULL.
public enum SyncValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case text(String)
}

/// A batch of changes to one entity, sent by the agent and applied by the hub in one transaction.
///
/// Column names travel once per batch; rows are positional arrays in `columns` order, and
/// deletes carry only the key values in `key` order.
public struct SyncBatch: Sendable, Hashable {
    public var runID: String
    /// The entity's UI name, e.g. `Transaction (JC)`.
    public var entity: String
    /// Position of this batch within the entity in this run, from 0: makes redelivery idempotent.
    public var sequence: Int
    public var columns: [String]
    public var key: [String]
    /// The column a timeframe cuts on, so the hub can scope a Deep sync's removals.
    public var dateColumn: String?
    public var upserts: [[SyncValue]]
    public var deletes: [[SyncValue]]
    /// The highest Sage change marker covered: the agent's checkpoint once acknowledged.
    public var throughVersion: Int64

    public init(runID: String, entity: String, sequence: Int, columns: [String], key: [String], dateColumn: String?,
                upserts: [[SyncValue]], deletes: [[SyncValue]], throughVersion: Int64) {
        self.runID = runID
        self.entity = entity
        self.sequence = sequence
        self.columns = columns
        self.key = key
        self.dateColumn = dateColumn
        self.upserts = upserts
        self.deletes = deletes
        self.throughVersion = throughVersion
    }
}

/// Starts a sync run on the hub.
public struct SyncRunStart: Sendable, Hashable, Codable {
    public var runID: String
    public var connection: String
    public var type: SyncType
    public var timeframe: Timeframe
    /// The first date inside the timeframe, resolved by the agent (nil: the beginning of time).
    public var startDate: CalendarDate?
    public var entities: [String]

    public init(runID: String, connection: String, type: SyncType, timeframe: Timeframe, startDate: CalendarDate?, entities: [String]) {
        self.runID = runID
        self.connection = connection
        self.type = type
        self.timeframe = timeframe
        self.startDate = startDate
        self.entities = entities
    }
}

/// The hub's answer to a batch: applied now, or already applied earlier (a redelivery).
public struct SyncBatchAck: Sendable, Hashable, Codable {
    public var entity: String
    public var sequence: Int
    public var applied: Int
    public var duplicate: Bool

    public init(entity: String, sequence: Int, applied: Int, duplicate: Bool) {
        self.entity = entity
        self.sequence = sequence
        self.applied = applied
        self.duplicate = duplicate
    }
}

/// Marks one entity of a Deep run complete: the hub removes mirrored rows of that entity,
/// inside the run's timeframe, that the run did not send.
public struct EntityCompletion: Sendable, Hashable, Codable {
    public var runID: String
    public var entity: String
    public var rowCount: Int

    public init(runID: String, entity: String, rowCount: Int) {
        self.runID = runID
        self.entity = entity
        self.rowCount = rowCount
    }
}

/// Where a sync sends its batches: the hub, over HTTP, in production.
public protocol SyncDestination: Sendable {
    /// Opens a run; calling it again with the same run id resumes it.
    func beginRun(_ start: SyncRunStart) async throws -> Void
    /// Applies one batch atomically; redelivering an applied batch is acknowledged as a duplicate.
    func send(_ batch: SyncBatch) async throws -> SyncBatchAck
    /// Applies one batch already in its wire form (`SyncWire.encode`): what the agent keeps while a batch is in
    /// flight, instead of its decoded rows.
    func send(encoded: [UInt8], header: SyncBatchHeader) async throws -> SyncBatchAck
    /// Ends one entity of a Deep run (removal of what Sage no longer has).
    func completeEntity(_ completion: EntityCompletion) async throws -> Void
    /// Closes the run with its outcome.
    func finishRun(runID: String, status: String, error: String?) async throws -> Void
}

extension SyncDestination {
    /// Destinations that look at rows (tests, in-process mirrors) get the batch decoded again.
    public func send(encoded: [UInt8], header: SyncBatchHeader) async throws -> SyncBatchAck {
        try await send(SyncWire.decode(encoded))
    }
}
