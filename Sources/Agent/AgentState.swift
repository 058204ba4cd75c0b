import Foundation
import GRDB
import SyncCore
import TielineCore

/// The agent's own database (`agent.sqlite` under the home folder): sync runs, their
/// per-entity progress, and each connection's checkpoints.
///
/// `sync_run` has a fixed schema that other commands (`doctor`) read; the progress and
/// checkpoint tables are the sync engine's own.
public final class AgentState: Sendable {
    let writer: any DatabaseWriter
    /// Where connection lock files live; nil for an in-memory state (tests), which needs none.
    let folder: URL?

    init(writer: any DatabaseWriter, folder: URL?) throws(TielineError) {
        self.writer = writer
        self.folder = folder
        try guarded { try AgentState.migrator.migrate(writer) }
    }

    /// Opens (creating if needed) `<home>/agent.sqlite`.
    public static func open(home: TielineHome) throws(TielineError) -> AgentState {
        let url = home.path("agent.sqlite")
        do {
            // The home holds the hub token and connection passwords: a new one is the owner's alone.
            try FileManager.default.createDirectory(at: home.url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            if !FileManager.default.fileExists(atPath: url.path) {
                _ = FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600])
            }
            var config = Configuration()
            // `doctor` or `sync history` may read while a run writes; wait rather than fail.
            config.busyMode = .timeout(10)
            return try AgentState(writer: DatabasePool(path: url.path, configuration: config), folder: home.url)
        } catch let error as TielineError {
            throw error
        } catch {
            throw TielineError(.agentState, "cannot open \(url.path): \(error)")
        }
    }

    /// A throwaway state, for tests.
    public static func inMemory() throws(TielineError) -> AgentState {
        do { return try AgentState(writer: DatabaseQueue(), folder: nil) } catch let error as TielineError { throw error } catch {
            throw TielineError(.agentState, "cannot create an in-memory agent state: \(error)")
        }
    }

    /// Never edit a shipped migration; add a new one.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: sync runs, progress, checkpoints") { db in
            // Exactly this shape: `doctor` reads it.
            try db.execute(sql: """
                CREATE TABLE sync_run(
                  id TEXT PRIMARY KEY,
                  connection TEXT,
                  type TEXT,        -- 'deep'|'incremental'
                  timeframe TEXT,   -- Timeframe.argument e.g. 'beginning-of-time'
                  started_at TEXT,
                  finished_at TEXT,
                  status TEXT,      -- 'running'|'completed'|'failed'|'interrupted'
                  entities TEXT,    -- JSON per-entity counts
                  error TEXT)
                """)
            // What a resumed run must reuse: the start date resolved on its first day and the
            // company's change marker when it began.
            try db.execute(sql: """
                CREATE TABLE sync_run_plan(
                  run_id TEXT PRIMARY KEY REFERENCES sync_run(id) ON DELETE CASCADE,
                  start_date TEXT,
                  high_water INTEGER NOT NULL,
                  entity_names TEXT NOT NULL,
                  resumable INTEGER NOT NULL DEFAULT 1)
                """)
            // Per entity of a run: the next batch sequence, the Row_Version acknowledged so far,
            // and the range of a batch sent but not yet acknowledged (re-sent as-is on resume).
            try db.execute(sql: """
                CREATE TABLE sync_run_entity(
                  run_id TEXT NOT NULL REFERENCES sync_run(id) ON DELETE CASCADE,
                  entity TEXT NOT NULL,
                  ordinal INTEGER NOT NULL,
                  next_sequence INTEGER NOT NULL DEFAULT 0,
                  position INTEGER NOT NULL,
                  initial_load INTEGER NOT NULL,
                  pending_through INTEGER,
                  upserts INTEGER NOT NULL DEFAULT 0,
                  deletes INTEGER NOT NULL DEFAULT 0,
                  batches INTEGER NOT NULL DEFAULT 0,
                  status TEXT NOT NULL DEFAULT 'pending',
                  PRIMARY KEY(run_id, entity))
                """)
            try db.execute(sql: """
                CREATE TABLE sync_checkpoint(
                  connection TEXT NOT NULL,
                  entity TEXT NOT NULL,
                  row_version INTEGER NOT NULL,
                  updated_at TEXT NOT NULL,
                  PRIMARY KEY(connection, entity))
                """)
            try db.execute(sql: "CREATE INDEX sync_run_by_connection ON sync_run(connection, started_at)")
        }
        migrator.registerMigration("v2: export plans written step by step") { db in
            // An export written through a path without one transaction: its plan, recorded before
            // the first write, and each step once Sage holds it (see StepExportWriter).
            try db.execute(sql: """
                CREATE TABLE export_plan(
                  reference TEXT PRIMARY KEY,   -- procore:pcco:<id>
                  connection TEXT NOT NULL,
                  plan TEXT NOT NULL,           -- JSON ExportPlan
                  status TEXT NOT NULL,         -- 'writing'|'written'|'stopped'
                  error TEXT,
                  created_at TEXT NOT NULL,
                  finished_at TEXT)
                """)
            try db.execute(sql: """
                CREATE TABLE export_step(
                  reference TEXT NOT NULL REFERENCES export_plan(reference) ON DELETE CASCADE,
                  ordinal INTEGER NOT NULL,
                  step TEXT NOT NULL,
                  row_id TEXT NOT NULL,
                  entry INTEGER,
                  found INTEGER NOT NULL,       -- 1: Sage already held it when the step came up
                  done_at TEXT NOT NULL,
                  PRIMARY KEY(reference, ordinal))
                """)
        }
        registerKeyLedger(&migrator)
        migrator.registerMigration("v4: several batches in flight") { db in
            // Every batch sent and not yet acknowledged, in sequence order (JSON array of through
            // versions); pending_through stays the first of them.
            try db.execute(sql: "ALTER TABLE sync_run_entity ADD COLUMN pending_list TEXT")
        }
        return migrator
    }()

    /// Holds `connection` for one sync until the returned lock is released.
    func lock(connection: String) throws(TielineError) -> ConnectionLock? {
        guard let folder else { return nil }
        return try ConnectionLock.acquire(folder: folder, connection: connection)
    }

    /// Recorded runs, newest first, optionally of one connection.
    public func history(connection: String? = nil, limit: Int = 50) throws(TielineError) -> [SyncRunRecord] {
        try guarded {
            try writer.read { db in
                let filter = connection == nil ? "" : "WHERE connection = ?"
                var arguments: StatementArguments = [limit]
                if let connection { arguments = [connection, limit] }
                return try Row.fetchAll(db, sql: """
                    SELECT * FROM sync_run \(filter) ORDER BY started_at DESC, rowid DESC LIMIT ?
                    """, arguments: arguments).map(SyncRunRecord.init(row:))
            }
        }
    }

    /// One recorded run.
    public func run(id: String) throws(TielineError) -> SyncRunRecord? {
        try guarded {
            try writer.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM sync_run WHERE id = ?", arguments: [id]).map(SyncRunRecord.init(row:))
            }
        }
    }

    /// Maps database failures to coded errors.
    func guarded<T>(_ block: () throws -> T) throws(TielineError) -> T {
        do { return try block() } catch let error as TielineError { throw error } catch {
            throw TielineError(.agentState, "agent state: \(error)")
        }
    }

    /// Now, as stored in `started_at` / `finished_at` (ISO 8601, UTC, sortable as text).
    static func timestamp(_ date: Date = Date()) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
    }
}

/// How a recorded run ended (or that it is still going).
public enum SyncRunStatus: String, Sendable, Hashable, Codable {
    case running, completed, failed, interrupted
}

/// One row of `sync_run`, as `tieline sync history` shows it.
public struct SyncRunRecord: Sendable, Hashable, Codable {
    public var id: String
    public var connection: String
    /// `deep` or `incremental`.
    public var type: String
    /// `Timeframe.argument`, e.g. `beginning-of-time`.
    public var timeframe: String
    public var startedAt: String
    public var finishedAt: String?
    public var status: SyncRunStatus
    /// Per entity: what was sent and whether it finished.
    public var entities: [String: EntityCounts]
    public var error: String?

    init(row: Row) {
        id = row["id"]
        connection = row["connection"] ?? ""
        type = row["type"] ?? ""
        timeframe = row["timeframe"] ?? ""
        startedAt = row["started_at"] ?? ""
        finishedAt = row["finished_at"]
        status = SyncRunStatus(rawValue: row["status"] ?? "") ?? .failed
        let json: String = row["entities"] ?? "{}"
        entities = (try? JSONDecoder().decode([String: EntityCounts].self, from: Data(json.utf8))) ?? [:]
        error = row["error"]
    }

    /// Rows sent (upserts plus deletes) over all entities.
    public var rowsSent: Int { entities.values.reduce(0) { $0 + $1.upserts + $1.deletes } }
}

/// One entity's share of a run.
public struct EntityCounts: Sendable, Hashable, Codable {
    public var upserts: Int
    public var deletes: Int
    public var batches: Int
    /// `pending`, `running` or `completed`.
    public var status: String
}

extension TielineError.Code {
    public static let agentState = Self("agent_state")
}
