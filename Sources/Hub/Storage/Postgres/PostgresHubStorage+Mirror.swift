import Foundation
import PostgresNIO
import SyncCore
import TielineCore

extension PostgresHubStorage {
    public func runs(site: HubSite, limit: Int) async throws -> [HubRun] {
        try await read { db in
            let runs = try await db.all("""
                SELECT run_id, connection, type, timeframe, start_date, entities, status, error, started_at, finished_at
                FROM sync_run WHERE site_id = \(site.id) ORDER BY started_at DESC, run_id DESC LIMIT \(limit)
                """, (String, String, String, String, String?, String, String, String?, String, String?).self)
            guard !runs.isEmpty else { return [] }
            var counts: [String: [HubRunEntity]] = [:]
            for e in try await db.all("""
                SELECT run_id, entity, batches, rows_upserted, rows_deleted, rows_removed, reported_rows, through_version, completed_at
                FROM sync_run_entity WHERE site_id = \(site.id) AND run_id = ANY(\(runs.map(\.0))) ORDER BY entity
                """, (String, String, Int, Int, Int, Int, Int?, Int64?, String?).self) {
                counts[e.0, default: []].append(HubRunEntity(entity: e.1, batches: e.2, rowsUpserted: e.3, rowsDeleted: e.4, rowsRemoved: e.5,
                                                             reportedRows: e.6, throughVersion: e.7, completedAt: e.8))
            }
            return runs.map { r in
                let entities = (try? JSONDecoder().decode([String].self, from: Data(r.5.utf8))) ?? []
                return HubRun(runID: r.0, connection: r.1, type: r.2, timeframe: r.3, startDate: r.4, entities: entities, status: r.6,
                              error: r.7, startedAt: r.8, finishedAt: r.9, entityCounts: counts[r.0] ?? [])
            }
        }
    }

    public func mirrorRows(entity: String, key: [String], page: Int, perPage: Int, site: HubSite) async throws -> MirrorPage {
        // The given values are the whole key, or its leading part (`key=24-118` for every item of a contract).
        let exact = key.isEmpty ? nil : MirrorKey.encode(key)
        let range = exact.map(MirrorKey.prefixRange)
        let (lower, upper) = (range?.lower, range?.upper)
        let offset = try QueryNumbers.offset(page: page, perPage: perPage)
        return try await read { db in
            let total = try await db.one("""
                SELECT COUNT(*) FROM mirror_row WHERE site_id = \(site.id) AND entity_id = (SELECT id FROM mirror_entity WHERE name = \(entity))
                AND (\(exact)::text IS NULL OR key = \(exact)::text OR (key >= \(lower)::text AND key < \(upper)::text))
                """, Int.self) ?? 0
            let rows = try await db.all("""
                SELECT column_set, row FROM mirror_row WHERE site_id = \(site.id) AND entity_id = (SELECT id FROM mirror_entity WHERE name = \(entity))
                AND (\(exact)::text IS NULL OR key = \(exact)::text OR (key >= \(lower)::text AND key < \(upper)::text))
                ORDER BY key LIMIT \(perPage) OFFSET \(offset)
                """, (Int64, ByteBuffer).self)
            var columnSets: [Int64: [String]] = [:]
            let ids = Array(Set(rows.map(\.0)))
            if !ids.isEmpty {
                for (id, text) in try await db.all("SELECT id, columns FROM column_set WHERE id = ANY(\(ids))", (Int64, String).self) {
                    columnSets[id] = try JSONDecoder().decode([String].self, from: Data(text.utf8))
                }
            }
            let decoded = try rows.map { (setID, bytes) throws -> [(String, SyncValue)] in
                let values = try SyncWire.decodeValues(Array(bytes.readableBytesView))
                return Array(zip(columnSets[setID] ?? [], values))
            }
            return MirrorPage(total: total, rows: decoded)
        }
    }

    public func mirrorRowExists(entity: String, key: [String], site: HubSite) async throws -> Bool {
        let encoded = MirrorKey.encode(key)
        return try await read { db in
            try await db.exists("SELECT 1 FROM mirror_row WHERE site_id = \(site.id) AND entity_id = (SELECT id FROM mirror_entity WHERE name = \(entity)) AND key = \(encoded)")
        }
    }

    public func costCodeExists(job: String, costCode: String, category: String?, site: HubSite) async throws -> Bool {
        try await read { db in
            if let category {
                return try await db.exists("""
                    SELECT 1 FROM mirror_cost_code WHERE site_id = \(site.id) AND job = \(job) AND cost_code = \(costCode) AND category = \(category)
                    """)
            }
            return try await db.exists("SELECT 1 FROM mirror_cost_code WHERE site_id = \(site.id) AND job = \(job) AND cost_code = \(costCode) LIMIT 1")
        }
    }
}
