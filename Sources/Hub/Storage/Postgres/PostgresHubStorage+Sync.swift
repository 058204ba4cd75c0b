import Foundation
import NIOCore
import PostgresNIO
import SyncCore
import TielineCore

extension PostgresHubStorage {
    public func beginRun(_ start: SyncRunStart, site: HubSite) async throws -> Bool {
        try BatchLayout.checkRunID(start.runID)
        let entities = String(decoding: try JSONEncoder().encode(start.entities), as: UTF8.self)
        return try await transaction { db in
            if let status = try await db.one("SELECT status FROM sync_run WHERE site_id = \(site.id) AND run_id = \(start.runID) FOR UPDATE",
                                             String.self) {
                // The agent closes an interrupted run as `interrupted` and later resumes it under the
                // same id, so opening a finished run reopens it; its batches and seen-marks still count.
                if status != RunStatus.running {
                    try await db.run("""
                        UPDATE sync_run SET status = \(RunStatus.running), error = NULL, finished_at = NULL
                        WHERE site_id = \(site.id) AND run_id = \(start.runID)
                        """)
                }
                return true
            }
            // Another hub process may open the same run at the same moment: then this one resumes it.
            let inserted = try await db.exists("""
                INSERT INTO sync_run (site_id, run_id, connection, type, timeframe, start_date, entities, status, started_at)
                VALUES (\(site.id), \(start.runID), \(start.connection), \(start.type.rawValue), \(start.timeframe.argument),
                        \(start.startDate?.description), \(entities), \(RunStatus.running), \(Self.now()))
                ON CONFLICT (site_id, run_id) DO NOTHING RETURNING 1
                """)
            return !inserted
        }
    }

    public func appliedBatch(_ header: SyncBatchHeader, site: HubSite) async throws -> Int? {
        try await read { db in
            try await db.one("""
                SELECT applied FROM sync_batch WHERE site_id = \(site.id) AND run_id = \(header.runID)
                    AND entity = \(header.entity) AND sequence = \(header.sequence)
                """, Int.self)
        }
    }

    public func applyBatch(wire: ByteBuffer, site: HubSite) async throws -> SyncBatchAck {
        // Checked and turned into array parameters before a connection is leased, from the body's own bytes.
        let (scan, layout) = try BatchLayout.scan(wire)
        let rows = try wire.withUnsafeReadableBytes { raw in
            Result { () throws(TielineError) -> PostgresBatchRows in
                try PostgresBatchRows(scan, raw, layout: layout, unknown: { costCodes.unknown(site: site.id, in: $0) })
            }
        }.get()
        let columns = String(decoding: try JSONEncoder().encode(scan.columns), as: UTF8.self)
        let (ack, entityID) = try await transaction { db -> (SyncBatchAck, Int32?) in
            let run = try await Self.requireRun(scan.runID, site: site, db, open: false, lock: "FOR SHARE")
            // The receipt goes in first: a redelivery racing this one (another hub process) waits on its key
            // and then finds it, instead of both applying. It is rolled back with everything else on failure.
            let now = Self.now()
            let fresh = try await db.exists("""
                INSERT INTO sync_batch (site_id, run_id, entity, sequence, applied, through_version, received_at)
                VALUES (\(site.id), \(scan.runID), \(scan.entity), \(scan.sequence), 0, \(scan.throughVersion), \(now))
                ON CONFLICT DO NOTHING RETURNING 1
                """)
            if !fresh {
                let applied = try await db.one("""
                    SELECT applied FROM sync_batch WHERE site_id = \(site.id) AND run_id = \(scan.runID)
                        AND entity = \(scan.entity) AND sequence = \(scan.sequence)
                    """, Int.self) ?? 0
                return (SyncBatchAck(entity: scan.entity, sequence: scan.sequence, applied: applied, duplicate: true), nil)
            }
            if run.status != RunStatus.running { throw Self.finished(scan.runID, run.status) }
            let columnSet = try await Self.columnSetID(site: site, entity: scan.entity, columns: columns, db)
            let entityID = try await self.entityID(scan.entity, db)
            let olderRows = run.type == SyncType.deep.rawValue
                ? try await Self.olderRowsAtFirstBatch(site: site, runID: scan.runID, entity: (scan.entity, entityID), stamp: run.mirrorStamp, db)
                : nil
            for chunk in rows.upsertChunks {
                try await upsert(chunk, site: site, entity: (scan.entity, entityID), columnSet: columnSet, run: run.mirrorStamp, db)
            }
            if let index = rows.costCodes {
                try await db.run("""
                    INSERT INTO mirror_cost_code (site_id, job, cost_code, category)
                    SELECT \(site.id), u.job, u.cost_code, u.category
                    FROM unnest(\(index.jobs)::text[], \(index.costCodes)::text[], \(index.categories)::text[]) AS u(job, cost_code, category)
                    ON CONFLICT DO NOTHING
                    """)
            }
            var deleted = 0
            if let deletes = rows.deletes {
                deleted = try await db.one("""
                    WITH gone AS (DELETE FROM mirror_row WHERE site_id = \(site.id) AND entity_id = \(entityID) AND key = ANY(\(deletes)::text[])
                                  RETURNING 1)
                    SELECT COUNT(*) FROM gone
                    """, Int.self) ?? 0
            }
            let applied = scan.upserts.count + deleted
            try await db.run("""
                UPDATE sync_batch SET applied = \(applied)
                WHERE site_id = \(site.id) AND run_id = \(scan.runID) AND entity = \(scan.entity) AND sequence = \(scan.sequence)
                """)
            try await db.run("""
                INSERT INTO sync_run_entity AS e (site_id, run_id, entity, date_column, batches, rows_upserted, rows_deleted, through_version,
                                                  older_rows)
                VALUES (\(site.id), \(scan.runID), \(scan.entity), \(scan.dateColumn), 1, \(scan.upserts.count), \(deleted), \(scan.throughVersion),
                        \(olderRows))
                ON CONFLICT (site_id, run_id, entity) DO UPDATE SET batches = e.batches + 1,
                    rows_upserted = e.rows_upserted + excluded.rows_upserted, rows_deleted = e.rows_deleted + excluded.rows_deleted,
                    date_column = excluded.date_column,
                    older_rows = CASE WHEN excluded.older_rows IS NULL THEN e.older_rows ELSE e.older_rows OR excluded.older_rows END,
                    through_version = GREATEST(COALESCE(e.through_version, excluded.through_version), excluded.through_version)
                """)
            return (SyncBatchAck(entity: scan.entity, sequence: scan.sequence, applied: applied, duplicate: false), entityID)
        }
        if let entityID { entityIDs.remember(scan.entity, entityID) }
        if !ack.duplicate { costCodes.insert(site: site.id, rows.costCodeKeys) }
        if !ack.duplicate { mirrorFacts.forget(site: site.id) }
        return ack
    }

    /// Stores a chunk of rows. While a site's entity only ever gets new keys (a first Deep sync), a binary COPY does it
    /// at well under half the database's cost of `INSERT ... ON CONFLICT DO UPDATE`; the first key already there fails
    /// it (rolled back to the savepoint, so nothing of it stays) and from then on that entity is upserted.
    func upsert(_ chunk: PostgresBatchRows.UpsertChunk, site: HubSite, entity: (name: String, id: Int32), columnSet: Int64, run: String,
                _ db: PostgresDB) async throws {
        let rows = MirrorRowStatements.Rows(site: site.id, entity: entity.id, chunk: chunk, columnSet: columnSet, run: run)
        if insertsOnly.allows(site: site.id, entity: entity.name) {
            try await db.run("SAVEPOINT new_rows")
            do {
                try await MirrorRowCopy.run(rows, db)
                try await db.run("RELEASE SAVEPOINT new_rows")
                return
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
                try await db.run("ROLLBACK TO SAVEPOINT new_rows")
                insertsOnly.stop(site: site.id, entity: entity.name)
            }
        }
        try await db.run(MirrorRowStatements.Upsert(rows: rows))
    }

    public func completeEntity(_ completion: EntityCompletion, site: HubSite) async throws -> Int {
        defer { mirrorFacts.forget(site: site.id) }
        return try await transaction { db in
            let run = try await Self.requireRun(completion.runID, site: site, db, open: true, lock: "FOR SHARE")
            var dateColumn: String?
            var olderRows: Bool?
            if let stored = try await db.one("""
                SELECT date_column, older_rows FROM sync_run_entity
                WHERE site_id = \(site.id) AND run_id = \(completion.runID) AND entity = \(completion.entity)
                """, (String?, Bool?).self) { (dateColumn, olderRows) = stored }
            var removed = 0
            if StorageRules.searchesUnsentRows(run, olderRows: olderRows) {
                // Only rows this run did not send, and only inside its timeframe: a dated entity with a
                // start date keeps older rows (and undated ones); reference entities are synced whole.
                let hasDate = dateColumn != nil || EntityCatalog.entity(named: completion.entity)?.dateColumn != nil
                let start = hasDate ? run.startDate : nil
                removed = try await db.one("""
                    WITH gone AS (DELETE FROM mirror_row WHERE site_id = \(site.id) AND entity_id = (SELECT id FROM mirror_entity WHERE name = \(completion.entity))
                                      AND (last_run IS NULL OR last_run <> \(run.mirrorStamp))
                                      AND (\(start)::text IS NULL OR date >= \(start)::text)
                                  RETURNING 1)
                    SELECT COUNT(*) FROM gone
                    """, Int.self) ?? 0
            }
            try await db.run("""
                INSERT INTO sync_run_entity AS e (site_id, run_id, entity, rows_removed, reported_rows, completed_at)
                VALUES (\(site.id), \(completion.runID), \(completion.entity), \(removed), \(completion.rowCount), \(Self.now()))
                ON CONFLICT (site_id, run_id, entity) DO UPDATE SET rows_removed = e.rows_removed + excluded.rows_removed,
                    reported_rows = excluded.reported_rows, completed_at = excluded.completed_at
                """)
            return removed
        }
    }

    public func finishRun(runID: String, status: String, error: String?, site: HubSite) async throws {
        let status = try StorageRules.finishStatus(status)
        try await transaction { db in
            let run = try await Self.requireRun(runID, site: site, db, open: false, lock: "FOR UPDATE")
            // Finishing twice is harmless; the first outcome stands until the run is reopened.
            guard run.status == RunStatus.running else { return }
            try await db.run("""
                UPDATE sync_run SET status = \(status), error = \(error.map { String($0.prefix(4000)) }), finished_at = \(Self.now())
                WHERE site_id = \(site.id) AND run_id = \(runID)
                """)
        }
    }

    /// The site's run, or 404; with `open`, 409 once it is finished. `lock` keeps finishing and applying from interleaving.
    @discardableResult
    static func requireRun(_ runID: String, site: HubSite, _ db: PostgresDB, open: Bool, lock: String) async throws -> RunRow {
        guard let row = try await db.one("""
            SELECT type, status, start_date, serial FROM sync_run WHERE site_id = \(site.id) AND run_id = \(runID) \(unescaped: lock)
            """, (String, String, String?, Int64).self) else {
            throw StorageRules.noRun(runID)
        }
        return try StorageRules.run(RunRow(type: row.0, status: row.1, startDate: row.2, serial: row.3), runID, open: open)
    }

    static func finished(_ runID: String, _ status: String) -> TielineError { StorageRules.finished(runID, status) }

    /// At a Deep run's first batch of an entity, whether the mirror holds rows of it that the run has not stored (so
    /// its completion may have some to remove); nil at later batches, whose first one already answered. Rows stored
    /// by this run itself (a concurrent first batch) carry its stamp and do not count.
    static func olderRowsAtFirstBatch(site: HubSite, runID: String, entity: (name: String, id: Int32), stamp: String,
                                      _ db: PostgresDB) async throws -> Bool? {
        if try await db.exists("""
            SELECT 1 FROM sync_run_entity WHERE site_id = \(site.id) AND run_id = \(runID) AND entity = \(entity.name)
            """) { return nil }
        return try await db.exists("""
            SELECT 1 FROM mirror_row WHERE site_id = \(site.id) AND entity_id = \(entity.id) AND (last_run IS NULL OR last_run <> \(stamp))
            LIMIT 1
            """)
    }

    /// The id of the mirror entity named `name`, given to it now if it has none, in the caller's transaction (so it
    /// is remembered only once that commits).
    func entityID(_ name: String, _ db: PostgresDB) async throws -> Int32 {
        if let id = entityIDs[name] { return id }
        if let id = try await db.one("SELECT id FROM mirror_entity WHERE name = \(name)", Int32.self) { return id }
        // A concurrent first batch of the entity may insert it first; then its id is read back.
        if let id = try await db.one("INSERT INTO mirror_entity (name) VALUES (\(name)) ON CONFLICT (name) DO NOTHING RETURNING id",
                                     Int32.self) {
            return id
        }
        guard let id = try await db.one("SELECT id FROM mirror_entity WHERE name = \(name)", Int32.self) else {
            throw TielineError(.storageFailure, "the mirror entity '\(name)' vanished while a batch was applied")
        }
        return id
    }

    static func columnSetID(site: HubSite, entity: String, columns: String, _ db: PostgresDB) async throws -> Int64 {
        if let id = try await db.one("SELECT id FROM column_set WHERE site_id = \(site.id) AND entity = \(entity) AND columns = \(columns)",
                                     Int64.self) {
            return id
        }
        // A concurrent first batch of the same shape may insert it first; then its id is read back.
        if let id = try await db.one("""
            INSERT INTO column_set (site_id, entity, columns) VALUES (\(site.id), \(entity), \(columns))
            ON CONFLICT (site_id, entity, columns) DO NOTHING RETURNING id
            """, Int64.self) {
            return id
        }
        guard let id = try await db.one("SELECT id FROM column_set WHERE site_id = \(site.id) AND entity = \(entity) AND columns = \(columns)",
                                        Int64.self) else {
            throw TielineError(.storageFailure, "the column set of '\(entity)' vanished while a batch was applied")
        }
        return id
    }
}
