import Foundation
import GRDB
import SyncCore
import TielineCore

extension SQLiteHubStorage {
    public func runs(site: HubSite, limit: Int) async throws -> [HubRun] {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM sync_run WHERE site_id = ? ORDER BY started_at DESC, run_id DESC LIMIT ?
                """, arguments: [site.id, limit])
            return try rows.map { row in
                let runID: String = row["run_id"]
                let counts = try Row.fetchAll(db, sql: """
                    SELECT * FROM sync_run_entity WHERE site_id = ? AND run_id = ? ORDER BY entity
                    """, arguments: [site.id, runID]).map { e in
                    HubRunEntity(entity: e["entity"], batches: e["batches"], rowsUpserted: e["rows_upserted"],
                                 rowsDeleted: e["rows_deleted"], rowsRemoved: e["rows_removed"], reportedRows: e["reported_rows"],
                                 throughVersion: e["through_version"], completedAt: e["completed_at"])
                }
                let entities = (try? JSONDecoder().decode([String].self, from: Data((row["entities"] as String).utf8))) ?? []
                return HubRun(runID: runID, connection: row["connection"], type: row["type"], timeframe: row["timeframe"],
                              startDate: row["start_date"], entities: entities, status: row["status"], error: row["error"],
                              startedAt: row["started_at"], finishedAt: row["finished_at"], entityCounts: counts)
            }
        }
    }

    public func mirrorRows(entity: String, key: [String], page: Int, perPage: Int, site: HubSite) async throws -> MirrorPage {
        var filter = ""
        var arguments: StatementArguments = [site.id, entity]
        if !key.isEmpty {
            // The given values are the whole key, or its leading part (`key=24-118` for every item of a contract).
            let exact = MirrorKey.encode(key)
            let range = MirrorKey.prefixRange(exact)
            filter = " AND (key = ? OR (key >= ? AND key < ?))"
            _ = arguments.append(contentsOf: [exact, range.lower, range.upper])
        }
        let where_ = "WHERE site_id = ? AND entity_id = (SELECT id FROM mirror_entity WHERE name = ?)" + filter
        let countArguments = arguments
        let pageArguments = arguments + [perPage, try QueryNumbers.offset(page: page, perPage: perPage)]
        return try await pool.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM mirror_row " + where_, arguments: countArguments) ?? 0
            var columnSets: [Int64: [String]] = [:]
            let rows = try Row.fetchAll(db, sql: "SELECT column_set, row FROM mirror_row \(where_) ORDER BY key LIMIT ? OFFSET ?",
                                        arguments: pageArguments)
            let decoded = try rows.map { (row: Row) throws -> [(String, SyncValue)] in
                let setID: Int64 = row["column_set"]
                if columnSets[setID] == nil {
                    let text = try String.fetchOne(db, sql: "SELECT columns FROM column_set WHERE id = ?", arguments: [setID]) ?? "[]"
                    columnSets[setID] = try JSONDecoder().decode([String].self, from: Data(text.utf8))
                }
                let values = try SyncWire.decodeValues([UInt8](row["row"] as Data))
                return Array(zip(columnSets[setID]!, values))
            }
            return MirrorPage(total: total, rows: decoded)
        }
    }
}
