import Foundation
import NIOCore
import ServiceLifecycle
import SyncCore
import TielineCore

/// Where the hub keeps sites, tokens, runs, the mirror and the export queue: SQLite or PostgreSQL.
///
/// Every sync and mirror call takes the authenticated `HubSite`, so one site's token can only
/// ever reach that site's rows. Errors are `TielineError`s whose codes map to HTTP statuses.
///
/// A storage is also a `Service`: `run()` is its background work (PostgreSQL: the connection pool and the
/// LISTEN loop; SQLite: nothing), which must run while the storage is used and ends on graceful shutdown or
/// cancellation, releasing its connections. Run it as one service of the hub's ServiceGroup
/// (`HubServer.start(…, runStorage: true)`), or for a scope with `HubDatabase.withStorage` / `withRunning`.
public protocol HubStorage: Service {
    /// Creates a site and returns its first agent token (shown once; only its hash is kept).
    func addSite(_ name: String) async throws -> String
    /// Every site, by name.
    func sites() async throws -> [HubSite]
    /// Revokes the site's tokens and returns a fresh one.
    func rotateToken(site name: String) async throws -> String
    /// Revokes every token of the site; its agent gets 401 until given a new one.
    func revokeTokens(site name: String) async throws
    /// The site an agent token belongs to, or nil for unknown and revoked tokens.
    func site(forToken token: String) async throws -> HubSite?

    /// Opens a run, or resumes it when the run id is known; returns true when resumed.
    func beginRun(_ start: SyncRunStart, site: HubSite) async throws -> Bool
    /// Validation's recent answers from this storage's mirror; forgotten for a site whenever its mirror changes here.
    var mirrorFacts: MirrorFacts { get }
    /// Applies a batch in one transaction; a redelivered batch is acknowledged as a duplicate.
    func applyBatch(_ batch: SyncBatch, site: HubSite) async throws -> SyncBatchAck
    /// Applies a batch still in its wire form (`SyncWire`), as the agent posted it; same rules as `applyBatch(_:site:)`.
    func applyBatch(wire: ByteBuffer, site: HubSite) async throws -> SyncBatchAck
    /// The rows a batch already applied, or nil when it is new: lets a redelivery skip decoding.
    func appliedBatch(_ header: SyncBatchHeader, site: HubSite) async throws -> Int?
    /// Records an entity as complete; in a Deep run, removes rows of the timeframe not sent. Returns rows removed.
    func completeEntity(_ completion: EntityCompletion, site: HubSite) async throws -> Int
    /// Records the run's outcome.
    func finishRun(runID: String, status: String, error: String?, site: HubSite) async throws
    /// The site's runs, newest first.
    func runs(site: HubSite, limit: Int) async throws -> [HubRun]
    /// One page of the site's mirrored rows of `entity`, optionally only those whose key starts with `key`.
    func mirrorRows(entity: String, key: [String], page: Int, perPage: Int, site: HubSite) async throws -> MirrorPage
    /// Whether the mirror holds a row of `entity` with exactly this key (e.g. Job (CV) `24-118`).
    func mirrorRowExists(entity: String, key: [String], site: HubSite) async throws -> Bool
    /// Whether the mirrored Transaction (JC) / Quick Bill Contract Item rows show the job has this cost code and category
    /// (category nil: the cost code alone). Kept as a small index beside the mirror while batches are applied.
    func costCodeExists(job: String, costCode: String, category: String?, site: HubSite) async throws -> Bool

    // MARK: Procore link

    /// Links the named site to its Procore company, replacing an earlier link (the cursor is kept when the company is the same).
    func linkProcore(_ link: ProcoreLink, site name: String) async throws
    /// The site's Procore link, if any.
    func procoreLink(site: HubSite) async throws -> ProcoreLink?
    /// Every site linked to Procore.
    func linkedSites() async throws -> [LinkedSite]
    /// Removes the named site's Procore link (its polls and webhook deliveries stop; its exports stay); false when it had none.
    func unlinkProcore(site name: String) async throws -> Bool
    /// Reads, changes and writes back the site's Procore link in one transaction (`recordPoll`, `recordHandledRequests`).
    func updateProcoreLink(site: HubSite, _ change: @escaping @Sendable (inout ProcoreLink) -> Void) async throws
    /// The site whose Procore webhook token has this SHA-256.
    func site(forWebhookTokenHash hash: String) async throws -> HubSite?
    /// Adds an answer to a Procore staging request to the site's history, keeping only the newest `keep`.
    func recordStaging(_ entry: ProcoreStagingEntry, keep: Int, site: HubSite) async throws
    /// The site's staging history, newest first.
    func stagingHistory(site: HubSite, limit: Int) async throws -> [ProcoreStagingEntry]

    // MARK: Export queue

    /// Inserts a new export (its `id` is assigned) with its first audit event; a PCCO already queued for the site is a conflict.
    func insertExport(_ export: HubExport, event: ExportEvent, site: HubSite) async throws -> HubExport
    /// The id of the site's export for a Procore PCCO, if queued.
    func exportID(pccoID: Int, site: HubSite) async throws -> Int64?
    /// Reads, changes and saves one export atomically (no other writer sees it in between); `change` returns the audit event
    /// to record, or nil for none. Waiters of `waitForExports` are woken when the export becomes claimable.
    func updateExport(id: Int64, site: HubSite, _ change: @Sendable (inout HubExport) throws -> ExportEvent?) async throws -> HubExport
    /// Changes several exports of the site in one transaction, in the order given; ids the site does not have are skipped.
    func updateExports(ids: [Int64], site: HubSite, _ change: @Sendable (inout HubExport) throws -> ExportEvent?) async throws -> [HubExport]
    /// One export of the site.
    func export(id: Int64, site: HubSite) async throws -> HubExport?
    /// The site's exports in these statuses (all when nil), newest first.
    func exports(site: HubSite, statuses: Set<ExportStatus>?, limit: Int) async throws -> [HubExport]
    /// The export's audit trail, oldest first.
    func exportEvents(id: Int64, site: HubSite) async throws -> [ExportEvent]
    /// Hands the oldest claimable export to `agent`: Accepted, or Exporting with a lapsed claim (its agent died).
    /// It becomes Exporting, claimed until `now + lease`, with one more delivery and a `claimed` event. Never hands one export to two callers.
    func claimExport(site: HubSite, agent: String, now: Date, lease: TimeInterval) async throws -> HubExport?
    /// Hands up to `max` exports to `agent` in one transaction: accepted ones to write, or ones for Sage to check.
    func claimExports(site: HubSite, agent: String, now: Date, lease: TimeInterval, max: Int, purpose: ClaimPurpose) async throws -> [HubExport]
    /// Exports of every site whose Procore write-back is due by `now`.
    func writeBacksDue(now: Date, limit: Int) async throws -> [(HubSite, HubExport)]
    /// Returns when the site may have a claimable export (at once if one is there), or after `timeout`.
    /// With `checks`, an export waiting for Sage's check counts too (the caller takes checks), so it is answered at once.
    func waitForExports(site: HubSite, timeout: Duration, checks: Bool) async throws
}

extension HubStorage {
    /// Records a poll: the new cursor (nil keeps it) and the error, if the poll failed; forgets handled requests it passed.
    public func recordPoll(cursor: String?, error: String?, at: Date, site: HubSite) async throws {
        try await updateProcoreLink(site: site) { link in
            if let cursor { link.cursor = cursor }
            link.lastPollAt = at
            link.lastPollError = error.map { String($0.prefix(2000)) }
            link.pruneHandledRequests()
        }
    }

    /// Records ERP requests above the cursor handled one by one (from their webhooks), so the list's poll skips them.
    public func recordHandledRequests(_ ids: [Int], site: HubSite) async throws {
        try await updateProcoreLink(site: site) { $0.addHandledRequests(ids) }
    }

    /// Applies a decoded batch through the wire path, which both backends apply from bytes.
    public func applyBatch(_ batch: SyncBatch, site: HubSite) async throws -> SyncBatchAck {
        try BatchLayout.checkRunID(batch.runID)
        return try await applyBatch(wire: ByteBuffer(bytes: SyncWire.encode(batch)), site: site)
    }

    /// Waits for an export to write (a caller that does not take checks).
    public func waitForExports(site: HubSite, timeout: Duration) async throws {
        try await waitForExports(site: site, timeout: timeout, checks: false)
    }

    /// Runs the storage's background work (`run()`) beside `body` and stops it (cancelling it, which closes the
    /// connections) once `body` returns or throws. Everything that uses the storage must be done by then.
    public func withRunning<T>(_ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.run() }
            defer { group.cancelAll() }
            return try await body()
        }
    }
}

/// A tenant: one company's agent and its mirrored data.
public struct HubSite: Sendable, Hashable, Codable {
    public let id: Int64
    public let name: String
    public let createdAt: String
    /// Tokens not revoked.
    public let activeTokens: Int

    public init(id: Int64, name: String, createdAt: String, activeTokens: Int) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.activeTokens = activeTokens
    }
}

/// A sync run as the hub recorded it.
public struct HubRun: Sendable, Hashable, Codable {
    public var runID: String
    public var connection: String
    public var type: String
    public var timeframe: String
    public var startDate: String?
    public var entities: [String]
    /// `running` until finished, then what the agent reported (e.g. `succeeded`, `failed`).
    public var status: String
    public var error: String?
    public var startedAt: String
    public var finishedAt: String?
    public var entityCounts: [HubRunEntity]
}

/// What one run did to one entity.
public struct HubRunEntity: Sendable, Hashable, Codable {
    public var entity: String
    public var batches: Int
    public var rowsUpserted: Int
    public var rowsDeleted: Int
    /// Rows a Deep completion removed because the run did not send them.
    public var rowsRemoved: Int
    /// The row count the agent reported on completion.
    public var reportedRows: Int?
    public var throughVersion: Int64?
    public var completedAt: String?
}

/// One page of mirrored rows.
public struct MirrorPage: Sendable, Hashable {
    /// Rows matching the filter, across all pages.
    public var total: Int
    /// Each row as (column, value) pairs in the agent's column order.
    public var rows: [[(String, SyncValue)]]

    public init(total: Int, rows: [[(String, SyncValue)]]) {
        self.total = total
        self.rows = rows
    }

    public static func == (a: MirrorPage, b: MirrorPage) -> Bool {
        a.total == b.total && a.rows.count == b.rows.count
            && zip(a.rows, b.rows).allSatisfy { $0.map(\.0) == $1.map(\.0) && $0.map(\.1) == $1.map(\.1) }
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(total) }
}

