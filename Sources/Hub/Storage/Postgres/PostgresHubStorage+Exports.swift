import Foundation
import PostgresNIO
import SyncCore
import TielineCore

extension PostgresHubStorage {
    public func insertExport(_ export: HubExport, event: ExportEvent, site: HubSite) async throws -> HubExport {
        let inserted = try await transaction { db -> HubExport in
            var export = export
            let c = ExportCoding.columns(export)
            // ON CONFLICT, not a look first: the same PCCO arriving at two hub processes is queued once.
            guard let id = try await db.one("""
                INSERT INTO hub_export (site_id, pcco_id, status, claimed_until, write_back_due, updated_at, data)
                VALUES (\(site.id), \(export.pccoID), \(c.status), \(c.claimedUntil), \(c.writeBackDue), \(c.updatedAt), '{}')
                ON CONFLICT (site_id, pcco_id) DO NOTHING RETURNING id
                """, Int64.self) else {
                throw StorageRules.alreadyQueued(pccoID: export.pccoID)
            }
            export.id = id
            try await db.run("UPDATE hub_export SET data = \(try ExportCoding.encodeExport(export)) WHERE id = \(id)")
            try await Self.record(event, exportID: id, db)
            if export.status.wakesAgent { try await Self.notifyClaimable(site: site, db) }
            return export
        }
        if inserted.status.wakesAgent { signal.notify(site: site.id) }
        return inserted
    }

    public func exportID(pccoID: Int, site: HubSite) async throws -> Int64? {
        try await read { db in
            try await db.one("SELECT id FROM hub_export WHERE site_id = \(site.id) AND pcco_id = \(pccoID)", Int64.self)
        }
    }

    public func updateExport(id: Int64, site: HubSite, _ change: @Sendable (inout HubExport) throws -> ExportEvent?) async throws -> HubExport {
        let updated = try await transaction { db -> HubExport in
            // FOR UPDATE: another process's read-modify-write of this export waits for this one to commit.
            var export = try await Self.load(id: id, site: site, db, lock: true)
            let event = try change(&export)
            export.id = id
            try await Self.save(export, db)
            if let event { try await Self.record(event, exportID: id, db) }
            if export.status.wakesAgent { try await Self.notifyClaimable(site: site, db) }
            return export
        }
        if updated.status.wakesAgent { signal.notify(site: site.id) }
        return updated
    }

    public func updateExports(ids: [Int64], site: HubSite, _ change: @Sendable (inout HubExport) throws -> ExportEvent?) async throws -> [HubExport] {
        let updated = try await transaction { db -> [HubExport] in
            var updated: [HubExport] = []
            for id in ids {
                // FOR UPDATE, one by one in the order given, as `updateExport` locks each.
                guard let data = try await db.one("SELECT data FROM hub_export WHERE id = \(id) AND site_id = \(site.id) FOR UPDATE", String.self) else {
                    continue
                }
                var export = try ExportCoding.decodeExport(data)
                let event = try change(&export)
                export.id = id
                try await Self.save(export, db)
                if let event { try await Self.record(event, exportID: id, db) }
                updated.append(export)
            }
            if updated.contains(where: \.status.wakesAgent) { try await Self.notifyClaimable(site: site, db) }
            return updated
        }
        if updated.contains(where: \.status.wakesAgent) { signal.notify(site: site.id) }
        return updated
    }

    public func export(id: Int64, site: HubSite) async throws -> HubExport? {
        try await read { db in
            try await db.one("SELECT data FROM hub_export WHERE id = \(id) AND site_id = \(site.id)", String.self)
                .map { try ExportCoding.decodeExport($0) }
        }
    }

    public func exports(site: HubSite, statuses: Set<ExportStatus>?, limit: Int) async throws -> [HubExport] {
        if let statuses, statuses.isEmpty { return [] }
        let names = statuses.map { $0.map(\.rawValue).sorted() }
        return try await read { db in
            try await db.all("""
                SELECT data FROM hub_export WHERE site_id = \(site.id) AND (\(names)::text[] IS NULL OR status = ANY(\(names)::text[]))
                ORDER BY id DESC LIMIT \(limit)
                """, String.self).map { try ExportCoding.decodeExport($0) }
        }
    }

    public func exportEvents(id: Int64, site: HubSite) async throws -> [ExportEvent] {
        try await read { db in
            _ = try await Self.load(id: id, site: site, db, lock: false)
            return try await db.all("SELECT at, actor, action, detail FROM export_event WHERE export_id = \(id) ORDER BY id",
                                    (Double, String, String, String?).self).map {
                ExportEvent(at: Date(timeIntervalSince1970: $0.0), actor: $0.1, action: $0.2, detail: $0.3)
            }
        }
    }

    public func claimExport(site: HubSite, agent: String, now: Date, lease: TimeInterval) async throws -> HubExport? {
        try await claimExports(site: site, agent: agent, now: now, lease: lease, max: 1, purpose: .write).first
    }

    public func claimExports(site: HubSite, agent: String, now: Date, lease: TimeInterval, max: Int,
                             purpose: ClaimPurpose) async throws -> [HubExport] {
        guard max > 0 else { return [] }
        return try await transaction { db -> [HubExport] in
            // SKIP LOCKED: a claim in flight in another process keeps its rows locked until it commits, so this
            // one takes the next exports instead of waiting and then handing out the same ones.
            let rows = try await db.all("""
                SELECT data FROM hub_export WHERE site_id = \(site.id) AND \(unescaped: purpose.condition(now: now))
                ORDER BY id LIMIT \(max) FOR UPDATE SKIP LOCKED
                """, String.self)
            var claimed: [HubExport] = []
            for data in rows {
                var export = try ExportCoding.decodeExport(data)
                let event = export.claim(by: agent, now: now, lease: lease, purpose: purpose)
                try await Self.save(export, db)
                try await Self.record(event, exportID: export.id, db)
                claimed.append(export)
            }
            return claimed
        }
    }

    public func writeBacksDue(now: Date, limit: Int) async throws -> [(HubSite, HubExport)] {
        try await read { db in
            try await db.all("""
                SELECT e.data, s.id, s.name, s.created_at FROM hub_export e JOIN site s ON s.id = e.site_id
                WHERE e.write_back_due IS NOT NULL AND e.write_back_due <= \(now.timeIntervalSince1970) ORDER BY e.write_back_due LIMIT \(limit)
                """, (String, Int64, String, String).self).map {
                (HubSite(id: $0.1, name: $0.2, createdAt: $0.3, activeTokens: 0), try ExportCoding.decodeExport($0.0))
            }
        }
    }

    public func waitForExports(site: HubSite, timeout: Duration, checks: Bool) async throws {
        // Woken by NOTIFY from any hub process (or at once by this one); the re-check (each second) covers a
        // notification lost while the LISTEN connection was being re-established, and lapsing claims.
        try await signal.waitUntilClaimable(site: site.id, timeout: timeout, recheck: recheck) {
            // The claims' own conditions, so the wait ends exactly when a claim would take something.
            let claimable = ClaimPurpose.claimable(now: Date(), checks: checks)
            return try await read { db in
                try await db.exists("SELECT 1 FROM hub_export WHERE site_id = \(site.id) AND \(unescaped: claimable) LIMIT 1")
            }
        }
    }

    /// Tells every hub process's LISTEN connection, on commit, that the site has a claimable export.
    static func notifyClaimable(site: HubSite, _ db: PostgresDB) async throws {
        try await db.run("SELECT pg_notify(\(exportsChannel), \(String(site.id)))")
    }

    static func load(id: Int64, site: HubSite, _ db: PostgresDB, lock: Bool) async throws -> HubExport {
        guard let data = try await db.one("SELECT data FROM hub_export WHERE id = \(id) AND site_id = \(site.id) \(unescaped: lock ? "FOR UPDATE" : "")",
                                          String.self) else {
            throw StorageRules.noExport(id, site: site)
        }
        return try ExportCoding.decodeExport(data)
    }

    static func save(_ export: HubExport, _ db: PostgresDB) async throws {
        let c = ExportCoding.columns(export)
        try await db.run("""
            UPDATE hub_export SET status = \(c.status), claimed_until = \(c.claimedUntil), write_back_due = \(c.writeBackDue),
                updated_at = \(c.updatedAt), data = \(try ExportCoding.encodeExport(export)) WHERE id = \(export.id)
            """)
    }

    static func record(_ event: ExportEvent, exportID: Int64, _ db: PostgresDB) async throws {
        try await db.run("""
            INSERT INTO export_event (export_id, at, actor, action, detail)
            VALUES (\(exportID), \(event.at.timeIntervalSince1970), \(String(event.actor.prefix(200))), \(event.action),
                    \(event.detail.map { String($0.prefix(4000)) }))
            """)
    }
}
