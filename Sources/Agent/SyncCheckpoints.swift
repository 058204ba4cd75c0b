import Foundation
import GRDB
import SyncCore
import TielineCore

/// What a run was asked to do, fixed when it starts so a resumed run does the same thing.
struct RunPlan: Sendable, Hashable {
    var id: String
    var connection: String
    var type: SyncType
    var timeframe: Timeframe
    /// Resolved on the run's first day: a run resumed tomorrow keeps the same cut.
    var startDate: CalendarDate?
    /// The company's change marker when the run began: incremental reads stop there, and a
    /// Deep run's entities are checkpointed there.
    var highWater: Int64
    var entities: [String]
}

/// One entity's place within a run.
struct EntityProgress: Sendable, Hashable {
    var entity: String
    var nextSequence: Int
    /// The Row_Version acknowledged so far: reading resumes after it.
    var position: Int64
    /// Nothing was ever sent for this entity: out-of-scope rows and tombstones need no deletes.
    var initialLoad: Bool
    /// Upper bounds of the batches sent but not acknowledged, in sequence order; on resume each is
    /// rebuilt for exactly its range with its sequence, so the hub's dedupe cannot hide a gap.
    var pending: [Int64]
    var upserts: Int
    var deletes: Int
    var batches: Int
    var completed: Bool
}

extension AgentState {
    /// The last acknowledged Row_Version of `entity` on `connection`, if it was ever synced.
    public func checkpoint(connection: String, entity: String) throws(TielineError) -> Int64? {
        try guarded {
            try writer.read { db in
                try Int64.fetchOne(db, sql: "SELECT row_version FROM sync_checkpoint WHERE connection = ? AND entity = ?",
                                   arguments: [connection, entity])
            }
        }
    }

    /// The newest run of `connection` that stopped (or was killed) before finishing and can resume.
    func resumableRun(connection: String) throws(TielineError) -> RunPlan? {
        try guarded {
            try writer.read { db in
                guard let row = try Row.fetchOne(db, sql: """
                    SELECT r.id, r.type, r.timeframe, p.start_date, p.high_water, p.entity_names
                    FROM sync_run r JOIN sync_run_plan p ON p.run_id = r.id
                    WHERE r.connection = ? AND r.status IN ('running', 'interrupted') AND p.resumable = 1
                    ORDER BY r.started_at DESC, r.rowid DESC LIMIT 1
                    """, arguments: [connection]) else { return nil }
                let names = try JSONDecoder().decode([String].self, from: Data((row["entity_names"] as String).utf8))
                let startDate: String? = row["start_date"]
                return RunPlan(id: row["id"], connection: connection, type: SyncType(rawValue: row["type"] as String) ?? .incremental,
                               timeframe: try Timeframe(parsing: row["timeframe"]),
                               startDate: try startDate.map { try CalendarDate(parsing: $0) },
                               highWater: row["high_water"], entities: names)
            }
        }
    }

    /// Records a new run and the starting position of each of its entities.
    func createRun(_ plan: RunPlan, positions: [(entity: String, position: Int64, initialLoad: Bool)]) throws(TielineError) {
        try guarded {
            try writer.write { db in
                let names = String(decoding: try JSONEncoder().encode(plan.entities), as: UTF8.self)
                try db.execute(sql: """
                    INSERT INTO sync_run(id, connection, type, timeframe, started_at, status, entities)
                    VALUES (?, ?, ?, ?, ?, 'running', '{}')
                    """, arguments: [plan.id, plan.connection, plan.type.rawValue, plan.timeframe.argument, AgentState.timestamp()])
                try db.execute(sql: "INSERT INTO sync_run_plan(run_id, start_date, high_water, entity_names) VALUES (?, ?, ?, ?)",
                               arguments: [plan.id, plan.startDate?.description, plan.highWater, names])
                for (ordinal, entry) in positions.enumerated() {
                    try db.execute(sql: """
                        INSERT INTO sync_run_entity(run_id, entity, ordinal, position, initial_load) VALUES (?, ?, ?, ?, ?)
                        """, arguments: [plan.id, entry.entity, ordinal, entry.position, entry.initialLoad])
                }
                try refreshCounts(db, runID: plan.id)
            }
        }
    }

    /// Marks a stopped run as running again (same id).
    func reopenRun(id: String) throws(TielineError) {
        try guarded {
            try writer.write { db in
                try db.execute(sql: "UPDATE sync_run SET status = 'running', finished_at = NULL, error = NULL WHERE id = ?",
                               arguments: [id])
            }
        }
    }

    /// A stopped run that a different request replaces: it stays `interrupted` and is never resumed.
    func abandonRun(id: String, replacedBy newID: String) throws(TielineError) {
        try guarded {
            try writer.write { db in
                try db.execute(sql: """
                    UPDATE sync_run SET status = 'interrupted', finished_at = COALESCE(finished_at, ?),
                      error = COALESCE(error || '; ', '') || 'not resumed: replaced by run ' || ? WHERE id = ?
                    """, arguments: [AgentState.timestamp(), newID, id])
                try db.execute(sql: "UPDATE sync_run_plan SET resumable = 0 WHERE run_id = ?", arguments: [id])
            }
        }
    }

    /// Where `entity` stands in run `runID`.
    func progress(runID: String, entity: String) throws(TielineError) -> EntityProgress {
        try guarded {
            try writer.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM sync_run_entity WHERE run_id = ? AND entity = ?",
                                                 arguments: [runID, entity]) else {
                    throw TielineError(.agentState, "run \(runID) has no progress for \(entity)")
                }
                let list = (row["pending_list"] as String?).flatMap { try? JSONDecoder().decode([Int64].self, from: Data($0.utf8)) }
                let pending = list ?? (row["pending_through"] as Int64?).map { [$0] } ?? []
                return EntityProgress(entity: entity, nextSequence: row["next_sequence"], position: row["position"],
                                      initialLoad: row["initial_load"], pending: pending,
                                      upserts: row["upserts"], deletes: row["deletes"], batches: row["batches"],
                                      completed: (row["status"] as String) == "completed")
            }
        }
    }

    /// Notes the batches in flight (the one about to be sent last), before sending it.
    func recordPending(runID: String, entity: String, pending: [Int64]) throws(TielineError) {
        try guarded {
            try writer.write { db in
                try db.execute(sql: "UPDATE sync_run_entity SET pending_through = ?, pending_list = ?, status = 'running' WHERE run_id = ? AND entity = ?",
                               arguments: [pending.first, Self.pendingList(pending), runID, entity])
            }
        }
    }

    static func pendingList(_ pending: [Int64]) -> String? {
        pending.isEmpty ? nil : "[" + pending.map(String.init).joined(separator: ",") + "]"
    }

    /// Records an acknowledged batch (the oldest in flight): position, counts, the batches still in
    /// flight and (incremental) the checkpoint, in one transaction.
    func recordAck(plan: RunPlan, entity: String, through: Int64, upserts: Int, deletes: Int, batch: Bool, stillPending: [Int64] = []) throws(TielineError) {
        try guarded {
            try writer.write { db in
                try db.execute(sql: """
                    UPDATE sync_run_entity SET position = ?, pending_through = ?, pending_list = ?, status = 'running',
                      next_sequence = next_sequence + ?, batches = batches + ?, upserts = upserts + ?, deletes = deletes + ?
                    WHERE run_id = ? AND entity = ?
                    """, arguments: [through, stillPending.first, Self.pendingList(stillPending), batch ? 1 : 0, batch ? 1 : 0,
                                     upserts, deletes, plan.id, entity])
                // A Deep run's checkpoint moves only when the entity completes (see completeEntity).
                if plan.type == .incremental {
                    try setCheckpoint(db, connection: plan.connection, entity: entity, version: through)
                }
                try refreshCounts(db, runID: plan.id)
            }
        }
    }

    /// Marks `entity` done in the run; `checkpoint` (a Deep run's start marker) is stored with it.
    func completeEntity(plan: RunPlan, entity: String, checkpoint: Int64?) throws(TielineError) {
        try guarded {
            try writer.write { db in
                try db.execute(sql: "UPDATE sync_run_entity SET status = 'completed', pending_through = NULL, pending_list = NULL WHERE run_id = ? AND entity = ?",
                               arguments: [plan.id, entity])
                if let checkpoint {
                    try setCheckpoint(db, connection: plan.connection, entity: entity, version: checkpoint)
                }
                try refreshCounts(db, runID: plan.id)
            }
        }
    }

    /// Closes the run with its outcome.
    func finishRun(id: String, status: SyncRunStatus, error: String?) throws(TielineError) {
        try guarded {
            try writer.write { db in
                try db.execute(sql: "UPDATE sync_run SET status = ?, finished_at = ?, error = ? WHERE id = ?",
                               arguments: [status.rawValue, AgentState.timestamp(), error, id])
            }
        }
    }

    private func setCheckpoint(_ db: Database, connection: String, entity: String, version: Int64) throws {
        try db.execute(sql: """
            INSERT INTO sync_checkpoint(connection, entity, row_version, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT(connection, entity) DO UPDATE SET row_version = excluded.row_version, updated_at = excluded.updated_at
            """, arguments: [connection, entity, version, AgentState.timestamp()])
    }

    /// Keeps `sync_run.entities` (read by `doctor` and `sync history`) current after every batch.
    private func refreshCounts(_ db: Database, runID: String) throws {
        try db.execute(sql: """
            UPDATE sync_run SET entities = (
              SELECT json_group_object(entity, json_object('upserts', upserts, 'deletes', deletes, 'batches', batches, 'status', status))
              FROM (SELECT * FROM sync_run_entity WHERE run_id = ? ORDER BY ordinal))
            WHERE id = ?
            """, arguments: [runID, runID])
    }
}
