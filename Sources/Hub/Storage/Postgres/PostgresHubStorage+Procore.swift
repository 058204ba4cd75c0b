import Foundation
import PostgresNIO
import SyncCore
import TielineCore

extension PostgresHubStorage {
    public func linkProcore(_ link: ProcoreLink, site name: String) async throws {
        try await transaction { db in
            let id = try await Self.siteID(named: name, db)
            var link = link
            if let old = try await db.one("SELECT data FROM procore_link WHERE site_id = \(id) FOR UPDATE", String.self) {
                let previous = try ExportCoding.decode(ProcoreLink.self, old)
                // Re-linking the same company (a new secret, say) keeps where the poll left off.
                if previous.companyID == link.companyID && previous.baseURL == link.baseURL && previous.style == link.style {
                    link.cursor = link.cursor ?? previous.cursor
                }
            }
            try await db.run("""
                INSERT INTO procore_link (site_id, data, webhook_token_hash, updated_at)
                VALUES (\(id), \(try ExportCoding.encode(link)), \(link.webhookTokenHash), \(Self.now()))
                ON CONFLICT (site_id) DO UPDATE SET data = excluded.data, webhook_token_hash = excluded.webhook_token_hash,
                    updated_at = excluded.updated_at
                """)
        }
    }

    public func procoreLink(site: HubSite) async throws -> ProcoreLink? {
        try await read { db in
            try await db.one("SELECT data FROM procore_link WHERE site_id = \(site.id)", String.self)
                .map { try ExportCoding.decode(ProcoreLink.self, $0) }
        }
    }

    public func linkedSites() async throws -> [LinkedSite] {
        try await read { db in
            try await db.all("""
                SELECT s.id, s.name, s.created_at, l.data FROM procore_link l JOIN site s ON s.id = l.site_id ORDER BY s.name
                """, (Int64, String, String, String).self).map {
                LinkedSite(site: HubSite(id: $0.0, name: $0.1, createdAt: $0.2, activeTokens: 0), link: try ExportCoding.decode(ProcoreLink.self, $0.3))
            }
        }
    }

    public func unlinkProcore(site name: String) async throws -> Bool {
        try await transaction { db in
            let id = try await Self.siteID(named: name, db)
            return try await db.exists("DELETE FROM procore_link WHERE site_id = \(id) RETURNING 1")
        }
    }

    /// Reads (locked), changes and writes back the site's link in one transaction.
    public func updateProcoreLink(site: HubSite, _ change: @escaping @Sendable (inout ProcoreLink) -> Void) async throws {
        try await transaction { db in
            guard let data = try await db.one("SELECT data FROM procore_link WHERE site_id = \(site.id) FOR UPDATE", String.self) else {
                throw StorageRules.notLinked(site)
            }
            var link = try ExportCoding.decode(ProcoreLink.self, data)
            change(&link)
            try await db.run("UPDATE procore_link SET data = \(try ExportCoding.encode(link)) WHERE site_id = \(site.id)")
        }
    }

    /// Migration 4: the staging history the console shows (`procore_staging`, a few rows per site).
    static let stagingHistoryStatements = [
        """
        CREATE TABLE procore_staging (
            id BIGSERIAL PRIMARY KEY,
            site_id BIGINT NOT NULL REFERENCES site(id),
            at DOUBLE PRECISION NOT NULL,
            data TEXT NOT NULL
        )
        """,
        "CREATE INDEX procore_staging_site ON procore_staging (site_id, id)",
    ]

    public func recordStaging(_ entry: ProcoreStagingEntry, keep: Int, site: HubSite) async throws {
        let data = try ExportCoding.encode(entry)
        let keep = max(keep, 1)
        try await transaction { db in
            try await db.run("INSERT INTO procore_staging (site_id, at, data) VALUES (\(site.id), \(entry.at.timeIntervalSince1970), \(data))")
            try await db.run("""
                DELETE FROM procore_staging WHERE site_id = \(site.id) AND id NOT IN
                    (SELECT id FROM procore_staging WHERE site_id = \(site.id) ORDER BY id DESC LIMIT \(keep))
                """)
        }
    }

    public func stagingHistory(site: HubSite, limit: Int) async throws -> [ProcoreStagingEntry] {
        try await read { db in
            try await db.all("SELECT data FROM procore_staging WHERE site_id = \(site.id) ORDER BY id DESC LIMIT \(limit)", String.self)
                .map { try ExportCoding.decode(ProcoreStagingEntry.self, $0) }
        }
    }

    public func site(forWebhookTokenHash hash: String) async throws -> HubSite? {
        try await read { db in
            try await db.one("""
                SELECT s.id, s.name, s.created_at FROM procore_link l JOIN site s ON s.id = l.site_id WHERE l.webhook_token_hash = \(hash)
                """, (Int64, String, String).self).map { HubSite(id: $0.0, name: $0.1, createdAt: $0.2, activeTokens: 0) }
        }
    }
}
