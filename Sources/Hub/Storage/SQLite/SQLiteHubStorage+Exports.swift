import Foundation
import GRDB
import SyncCore
import TielineCore

extension SQLiteHubStorage {
    public func insertExport(_ export: HubExport, event: ExportEvent, site: HubSite) async throws -> HubExport {
        let inserted = try await pool.write { db -> HubExport in
            if try Int64.fetchOne(db, sql: "SELECT id FROM hub_export WHERE site_id = ? AND pcco_id = ?",
                                  arguments: [site.id, export.pccoID]) != nil {
                throw StorageRules.alreadyQueued(pccoID: export.pccoID)
            }
            var export = export
            let c = ExportCoding.columns(export)
            try db.execute(sql: """
                INSERT INTO hub_export (site_id, pcco_id, status, claimed_until, write_back_due, updated_at, data)
                VALUES (?, ?, ?, ?, ?, ?, '{}')
                """, arguments: [site.id, export.pccoID, c.status, c.claimedUntil, c.writeBackDue, c.updatedAt])
            export.id = db.lastInsertedRowID
            try db.execute(sql: "UPDATE hub_export SET data = ? WHERE id = ?", arguments: [try ExportCoding.encodeExport(export), export.id])
            try Self.record(event, exportID: export.id, db)
            return export
        }
        if inserted.status.wakesAgent { signal.notify(site: site.id) }
        return inserted
    }

    public func exportID(pccoID: Int, site: HubSite) async throws -> Int64? {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT id FROM hub_export WHERE site_id = ? AND pcco_id = ?", arguments: [site.id, pccoID])
        }
    }

    public func updateExport(id: Int64, site: HubSite, _ change: @Sendable (inout HubExport) throws -> ExportEvent?) async throws -> HubExport {
        let updated = try await pool.write { db -> HubExport in
            var export = try Self.load(id: id, site: site, db)
            let event = try change(&export)
            export.id = id
            try Self.save(export, db)
            if let event { try Self.record(event, exportID: id, db) }
            return export
        }
        if updated.status.wakesAgent { signal.notify(site: site.id) }
        return updated
    }

    public func updateExports(ids: [Int64], site: HubSite, _ change: @Sendable (inout HubExport) throws -> ExportEvent?) async throws -> [HubExport] {
        let updated = try await pool.write { db -> [HubExport] in
            try ids.compactMap { id -> HubExport? in
                guard let data = try String.fetchOne(db.cachedStatement(sql: "SELECT data FROM hub_export WHERE id = ? AND site_id = ?"), arguments: [id, site.id]) else {
                    return nil
                }
                var export = try ExportCoding.decodeExport(data)
                let event = try change(&export)
                export.id = id
                try Self.save(export, db)
                if let event { try Self.record(event, exportID: id, db) }
                return export
            }
        }
        if updated.contains(where: \.status.wakesAgent) { signal.notify(site: site.id) }
        return updated
    }

    public func export(id: Int64, site: HubSite) async throws -> HubExport? {
        try await pool.read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT data FROM hub_export WHERE id = ? AND site_id = ?"), arguments: [id, site.id])
                .map { try ExportCoding.decodeExport($0) }
        }
    }

    public func exports(site: HubSite, statuses: Set<ExportStatus>?, limit: Int) async throws -> [HubExport] {
        try await pool.read { db in
            var sql = "SELECT data FROM hub_export WHERE site_id = ?"
            var arguments: StatementArguments = [site.id]
            if let statuses {
                guard !statuses.isEmpty else { return [] }
                sql += " AND status IN (\(statuses.map { _ in "?" }.joined(separator: ",")))"
                _ = arguments.append(contentsOf: StatementArguments(statuses.map(\.rawValue).sorted()))
            }
            sql += " ORDER BY id DESC LIMIT ?"
            _ = arguments.append(contentsOf: [limit])
            return try String.fetchAll(db, sql: sql, arguments: arguments).map { try ExportCoding.decodeExport($0) }
        }
    }

    public func exportEvents(id: Int64, site: HubSite) async throws -> [ExportEvent] {
        try await pool.read { db in
            _ = try Self.load(id: id, site: site, db)
            return try Row.fetchAll(db, sql: "SELECT at, actor, action, detail FROM export_event WHERE export_id = ? ORDER BY id",
                                    arguments: [id]).map {
                ExportEvent(at: Date(timeIntervalSince1970: $0["at"]), actor: $0["actor"], action: $0["action"], detail: $0["detail"])
            }
        }
    }

    public func claimExport(site: HubSite, agent: String, now: Date, lease: TimeInterval) async throws -> HubExport? {
        try await claimExports(site: site, agent: agent, now: now, lease: lease, max: 1, purpose: .write).first
    }

    public func claimExports(site: HubSite, agent: String, now: Date, lease: TimeInterval, max: Int,
                             purpose: ClaimPurpose) async throws -> [HubExport] {
        try await pool.write { db -> [HubExport] in
            // One writer at a time in SQLite: the select and the updates cannot interleave with another claim.
            let ids = try Int64.fetchAll(db, sql: """
                SELECT id FROM hub_export WHERE site_id = ? AND \(purpose.condition(now: now)) ORDER BY id LIMIT ?
                """, arguments: [site.id, max])
            return try ids.map { id in
                var export = try Self.load(id: id, site: site, db)
                let event = export.claim(by: agent, now: now, lease: lease, purpose: purpose)
                try Self.save(export, db)
                try Self.record(event, exportID: id, db)
                return export
            }
        }
    }

    public func writeBacksDue(now: Date, limit: Int) async throws -> [(HubSite, HubExport)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT e.data, s.id AS site_id, s.name, s.created_at FROM hub_export e JOIN site s ON s.id = e.site_id
                WHERE e.write_back_due IS NOT NULL AND e.write_back_due <= ? ORDER BY e.write_back_due LIMIT ?
                """, arguments: [now.timeIntervalSince1970, limit]).map {
                (HubSite(id: $0["site_id"], name: $0["name"], createdAt: $0["created_at"], activeTokens: 0),
                 try ExportCoding.decodeExport($0["data"]))
            }
        }
    }

    public func waitForExports(site: HubSite, timeout: Duration, checks: Bool) async throws {
        // Woken at once by this process; an Accept from another process (the CLI) is seen within `recheck`.
        try await signal.waitUntilClaimable(site: site.id, timeout: timeout, recheck: recheck) {
            // The claims' own conditions, so the wait ends exactly when a claim would take something.
            let claimable = ClaimPurpose.claimable(now: Date(), checks: checks)
            return try await pool.read { db in
                try Bool.fetchOne(db, sql: "SELECT 1 FROM hub_export WHERE site_id = ? AND \(claimable) LIMIT 1", arguments: [site.id]) ?? false
            }
        }
    }

    static func load(id: Int64, site: HubSite, _ db: Database) throws -> HubExport {
        guard let data = try String.fetchOne(db.cachedStatement(sql: "SELECT data FROM hub_export WHERE id = ? AND site_id = ?"), arguments: [id, site.id]) else {
            throw StorageRules.noExport(id, site: site)
        }
        return try ExportCoding.decodeExport(data)
    }

    static func save(_ export: HubExport, _ db: Database) throws {
        let c = ExportCoding.columns(export)
        // Statements of the export paths are prepared once per connection: a burst runs them thousands of times.
        try db.cachedStatement(sql: """
            UPDATE hub_export SET status = ?, claimed_until = ?, write_back_due = ?, updated_at = ?, data = ? WHERE id = ?
            """).execute(arguments: [c.status, c.claimedUntil, c.writeBackDue, c.updatedAt, try ExportCoding.encodeExport(export), export.id])
    }

    static func record(_ event: ExportEvent, exportID: Int64, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO export_event (export_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)").execute(
                       arguments: [exportID, event.at.timeIntervalSince1970, String(event.actor.prefix(200)), event.action,
                                   event.detail.map { String($0.prefix(4000)) }])
    }
}
