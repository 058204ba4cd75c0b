import Foundation
import GRDB
import NIOCore
import SyncCore
import TielineCore

extension SQLiteHubStorage {
    public func beginRun(_ start: SyncRunStart, site: HubSite) async throws -> Bool {
        try BatchLayout.checkRunID(start.runID)
        let entities = String(decoding: try JSONEncoder().encode(start.entities), as: UTF8.self)
        return try await pool.write { db in
            if let status = try String.fetchOne(db, sql: "SELECT status FROM sync_run WHERE site_id = ? AND run_id = ?",
                                                arguments: [site.id, start.runID]) {
                // The agent closes an interrupted run as `interrupted` and later resumes it under the
                // same id, so opening a finished run reopens it; its batches and seen-marks still count.
                if status != RunStatus.running {
                    try db.execute(sql: "UPDATE sync_run SET status = ?, error = NULL, finished_at = NULL WHERE site_id = ? AND run_id = ?",
                                   arguments: [RunStatus.running, site.id, start.runID])
                }
                return true
            }
            try db.execute(sql: """
                INSERT INTO sync_run (site_id, run_id, connection, type, timeframe, start_date, entities, status, started_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [site.id, start.runID, start.connection, start.type.rawValue, start.timeframe.argument,
                                 start.startDate?.description, entities, RunStatus.running, Self.now()])
            return false
        }
    }

    public func appliedBatch(_ header: SyncBatchHeader, site: HubSite) async throws -> Int? {
        try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT applied FROM sync_batch WHERE site_id = ? AND run_id = ? AND entity = ? AND sequence = ?",
                             arguments: [site.id, header.runID, header.entity, header.sequence])
        }
    }

    public func applyBatch(wire: ByteBuffer, site: HubSite) async throws -> SyncBatchAck {
        // Checked before the write lock is taken; the rows are then stored from the body's own bytes.
        let (scan, layout) = try BatchLayout.scan(wire)
        let (ack, stored) = try await pool.write { db -> (SyncBatchAck, [CostCodeIndex.Key]) in
            try Self.requireRun(scan.runID, site: site, db, open: false)
            // Redelivery: the receipt was written in the same transaction as the rows it covers.
            if let applied = try Int.fetchOne(db, sql: """
                SELECT applied FROM sync_batch WHERE site_id = ? AND run_id = ? AND entity = ? AND sequence = ?
                """, arguments: [site.id, scan.runID, scan.entity, scan.sequence]) {
                return (SyncBatchAck(entity: scan.entity, sequence: scan.sequence, applied: applied, duplicate: true), [])
            }
            let run = try Self.requireRun(scan.runID, site: site, db, open: true)
            let now = Self.now()
            let columnSet = try Self.columnSetID(site: site, entity: scan.entity, columns: scan.columns, db)
            let entityID = try Self.entityID(scan.entity, db)
            let olderRows = run.type == SyncType.deep.rawValue
                ? try Self.olderRowsAtFirstBatch(site: site, runID: scan.runID, entity: (scan.entity, entityID), stamp: run.mirrorStamp, db)
                : nil
            let costCodes = try wire.withUnsafeReadableBytes { raw in
                try MirrorUpsert(db).apply(scan, raw, layout: layout, siteID: site.id, entityID: entityID, columnSet: columnSet,
                                          run: run.mirrorStamp)
            }
            let index = try db.cachedStatement(sql: "INSERT OR IGNORE INTO mirror_cost_code (site_id, job, cost_code, category) VALUES (?, ?, ?, ?)")
            let stored = self.knownCostCodes.unknown(site: site.id, in: costCodes)
            for entry in stored.map(\.entry) {
                try index.execute(arguments: [site.id, entry.job, entry.costCode, entry.category])
            }
            let delete = try db.cachedStatement(sql: "DELETE FROM mirror_row WHERE site_id = ? AND entity_id = ? AND key = ?")
            var deleted = 0
            for values in scan.deletes {
                try delete.execute(arguments: [site.id, entityID, MirrorKey.encode(values.compactMap(MirrorKey.text))])
                deleted += db.changesCount
            }
            let applied = scan.upserts.count + deleted
            try db.execute(sql: """
                INSERT INTO sync_batch (site_id, run_id, entity, sequence, applied, through_version, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [site.id, scan.runID, scan.entity, scan.sequence, applied, scan.throughVersion, now])
            try db.execute(sql: """
                INSERT INTO sync_run_entity (site_id, run_id, entity, date_column, batches, rows_upserted, rows_deleted, through_version, older_rows)
                VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)
                ON CONFLICT (site_id, run_id, entity) DO UPDATE SET batches = batches + 1,
                    rows_upserted = rows_upserted + excluded.rows_upserted, rows_deleted = rows_deleted + excluded.rows_deleted,
                    date_column = excluded.date_column,
                    through_version = MAX(COALESCE(through_version, excluded.through_version), excluded.through_version)
                """, arguments: [site.id, scan.runID, scan.entity, scan.dateColumn, scan.upserts.count, deleted, scan.throughVersion, olderRows])
            return (SyncBatchAck(entity: scan.entity, sequence: scan.sequence, applied: applied, duplicate: false), stored)
        }
        // Remembered only once committed: a rolled-back batch stored nothing.
        knownCostCodes.insert(site: site.id, stored)
        if !ack.duplicate { mirrorFacts.forget(site: site.id) }
        return ack
    }

    public func completeEntity(_ completion: EntityCompletion, site: HubSite) async throws -> Int {
        defer { mirrorFacts.forget(site: site.id) }
        return try await pool.write { db in
            let run = try Self.requireRun(completion.runID, site: site, db, open: true)
            let stored = try Row.fetchOne(db, sql: """
                SELECT date_column, older_rows FROM sync_run_entity WHERE site_id = ? AND run_id = ? AND entity = ?
                """, arguments: [site.id, completion.runID, completion.entity])
            let dateColumn: String? = stored?["date_column"]
            let olderRows: Bool? = stored?["older_rows"]
            var removed = 0
            if StorageRules.searchesUnsentRows(run, olderRows: olderRows) {
                // Only rows this run did not send, and only inside its timeframe: a dated entity with a
                // start date keeps older rows (and undated ones); reference entities are synced whole.
                let hasDate = dateColumn != nil || EntityCatalog.entity(named: completion.entity)?.dateColumn != nil
                var sql = """
                    DELETE FROM mirror_row WHERE site_id = ? AND entity_id = (SELECT id FROM mirror_entity WHERE name = ?)
                        AND (last_run IS NULL OR last_run <> ?)
                    """
                var arguments: StatementArguments = [site.id, completion.entity, run.mirrorStamp]
                if hasDate, let start = run.startDate {
                    sql += " AND date >= ?"
                    _ = arguments.append(contentsOf: [start])
                }
                try db.execute(sql: sql, arguments: arguments)
                removed = db.changesCount
            }
            try db.execute(sql: """
                INSERT INTO sync_run_entity (site_id, run_id, entity, rows_removed, reported_rows, completed_at)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (site_id, run_id, entity) DO UPDATE SET rows_removed = rows_removed + excluded.rows_removed,
                    reported_rows = excluded.reported_rows, completed_at = excluded.completed_at
                """, arguments: [site.id, completion.runID, completion.entity, removed, completion.rowCount, Self.now()])
            return removed
        }
    }

    public func finishRun(runID: String, status: String, error: String?, site: HubSite) async throws {
        let status = try StorageRules.finishStatus(status)
        try await pool.write { db in
            let run = try Self.requireRun(runID, site: site, db, open: false)
            // Finishing twice is harmless; the first outcome stands until the run is reopened.
            guard run.status == RunStatus.running else { return }
            try db.execute(sql: "UPDATE sync_run SET status = ?, error = ?, finished_at = ? WHERE site_id = ? AND run_id = ?",
                           arguments: [status, error.map { String($0.prefix(4000)) }, Self.now(), site.id, runID])
        }
    }

    /// At a Deep run's first batch of an entity, whether the mirror holds rows of it that the run has not stored (so its
    /// completion may have some to remove); nil at later batches, whose first one already answered.
    static func olderRowsAtFirstBatch(site: HubSite, runID: String, entity: (name: String, id: Int64), stamp: String,
                                      _ db: Database) throws -> Bool? {
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM sync_run_entity WHERE site_id = ? AND run_id = ? AND entity = ?",
                             arguments: [site.id, runID, entity.name]) != nil { return nil }
        return try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM mirror_row WHERE site_id = ? AND entity_id = ? AND (last_run IS NULL OR last_run <> ?))
            """, arguments: [site.id, entity.id, stamp]) ?? true
    }

    /// The id of the mirror entity named `name`, given to it now if it has none (in the caller's write transaction).
    static func entityID(_ name: String, _ db: Database) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM mirror_entity WHERE name = ?", arguments: [name]) { return id }
        try db.execute(sql: "INSERT INTO mirror_entity (name) VALUES (?)", arguments: [name])
        return db.lastInsertedRowID
    }

    /// The site's run, or 404; with `open`, 409 once it is finished.
    @discardableResult
    static func requireRun(_ runID: String, site: HubSite, _ db: Database, open: Bool) throws -> RunRow {
        guard let row = try Row.fetchOne(db, sql: "SELECT type, status, start_date, rowid FROM sync_run WHERE site_id = ? AND run_id = ?",
                                         arguments: [site.id, runID]) else {
            throw StorageRules.noRun(runID)
        }
        return try StorageRules.run(RunRow(type: row["type"], status: row["status"], startDate: row["start_date"], serial: row["rowid"]),
                                    runID, open: open)
    }

    static func columnSetID(site: HubSite, entity: String, columns: [String], _ db: Database) throws -> Int64 {
        let text = String(decoding: try JSONEncoder().encode(columns), as: UTF8.self)
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM column_set WHERE site_id = ? AND entity = ? AND columns = ?",
                                       arguments: [site.id, entity, text]) {
            return id
        }
        try db.execute(sql: "INSERT INTO column_set (site_id, entity, columns) VALUES (?, ?, ?)", arguments: [site.id, entity, text])
        return db.lastInsertedRowID
    }
}

/// Run statuses the hub itself sets.
enum RunStatus {
    static let running = "running"
}
