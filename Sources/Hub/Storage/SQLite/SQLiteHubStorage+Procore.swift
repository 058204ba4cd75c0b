import Foundation
import GRDB
import SyncCore
import TielineCore

extension SQLiteHubStorage {
    public func linkProcore(_ link: ProcoreLink, site name: String) async throws {
        try await pool.write { db in
            let id = try Self.siteID(named: name, db)
            var link = link
            if let old = try String.fetchOne(db, sql: "SELECT data FROM procore_link WHERE site_id = ?", arguments: [id]) {
                let previous = try ExportCoding.decode(ProcoreLink.self, old)
                // Re-linking the same company (a new secret, say) keeps where the poll left off.
                if previous.companyID == link.companyID && previous.baseURL == link.baseURL && previous.style == link.style {
                    link.cursor = link.cursor ?? previous.cursor
                }
            }
            try db.execute(sql: """
                INSERT INTO procore_link (site_id, data, webhook_token_hash, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (site_id) DO UPDATE SET data = excluded.data, webhook_token_hash = excluded.webhook_token_hash,
                    updated_at = excluded.updated_at
                """, arguments: [id, try ExportCoding.encode(link), link.webhookTokenHash, Self.now()])
        }
    }

    public func procoreLink(site: HubSite) async throws -> ProcoreLink? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT data FROM procore_link WHERE site_id = ?", arguments: [site.id])
                .map { try ExportCoding.decode(ProcoreLink.self, $0) }
        }
    }

    public func linkedSites() async throws -> [LinkedSite] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.id, s.name, s.created_at, l.data FROM procore_link l JOIN site s ON s.id = l.site_id ORDER BY s.name
                """).map {
                LinkedSite(site: HubSite(id: $0["id"], name: $0["name"], createdAt: $0["created_at"], activeTokens: 0),
                           link: try ExportCoding.decode(ProcoreLink.self, $0["data"]))
            }
        }
    }

    public func unlinkProcore(site name: String) async throws -> Bool {
        try await pool.write { db in
            let id = try Self.siteID(named: name, db)
            try db.execute(sql: "DELETE FROM procore_link WHERE site_id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    /// Reads, changes and writes back the site's link in one transaction.
    public func updateProcoreLink(site: HubSite, _ change: @escaping @Sendable (inout ProcoreLink) -> Void) async throws {
        try await pool.write { db in
            guard let data = try String.fetchOne(db, sql: "SELECT data FROM procore_link WHERE site_id = ?", arguments: [site.id]) else {
                throw StorageRules.notLinked(site)
            }
            var link = try ExportCoding.decode(ProcoreLink.self, data)
            change(&link)
            try db.execute(sql: "UPDATE procore_link SET data = ? WHERE site_id = ?", arguments: [try ExportCoding.encode(link), site.id])
        }
    }

    /// Migration v4: the staging history the console shows (`procore_staging`, a few rows per site).
    static func migrateStagingHistory(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE procore_staging (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                site_id INTEGER NOT NULL REFERENCES site(id),
                at REAL NOT NULL,
                data TEXT NOT NULL
            );
            CREATE INDEX procore_staging_site ON procore_staging (site_id, id);
            """)
    }

    public func recordStaging(_ entry: ProcoreStagingEntry, keep: Int, site: HubSite) async throws {
        let data = try ExportCoding.encode(entry)
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO procore_staging (site_id, at, data) VALUES (?, ?, ?)",
                           arguments: [site.id, entry.at.timeIntervalSince1970, data])
            try db.execute(sql: """
                DELETE FROM procore_staging WHERE site_id = ? AND id NOT IN
                    (SELECT id FROM procore_staging WHERE site_id = ? ORDER BY id DESC LIMIT ?)
                """, arguments: [site.id, site.id, max(keep, 1)])
        }
    }

    public func stagingHistory(site: HubSite, limit: Int) async throws -> [ProcoreStagingEntry] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT data FROM procore_staging WHERE site_id = ? ORDER BY id DESC LIMIT ?",
                                arguments: [site.id, limit])
                .map { try ExportCoding.decode(ProcoreStagingEntry.self, $0) }
        }
    }

    public func site(forWebhookTokenHash hash: String) async throws -> HubSite? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT s.id, s.name, s.created_at FROM procore_link l JOIN site s ON s.id = l.site_id WHERE l.webhook_token_hash = ?
                """, arguments: [hash]).map { HubSite(id: $0["id"], name: $0["name"], createdAt: $0["created_at"], activeTokens: 0) }
        }
    }

    public func mirrorRowExists(entity: String, key: [String], site: HubSite) async throws -> Bool {
        let encoded = MirrorKey.encode(key)
        return try await pool.read { db in
            try Bool.fetchOne(db, sql: """
                SELECT 1 FROM mirror_row WHERE site_id = ? AND entity_id = (SELECT id FROM mirror_entity WHERE name = ?) AND key = ?
                """,
                              arguments: [site.id, entity, encoded]) ?? false
        }
    }

    public func costCodeExists(job: String, costCode: String, category: String?, site: HubSite) async throws -> Bool {
        try await pool.read { db in
            if let category {
                return try Bool.fetchOne(db, sql: "SELECT 1 FROM mirror_cost_code WHERE site_id = ? AND job = ? AND cost_code = ? AND category = ?",
                                         arguments: [site.id, job, costCode, category]) ?? false
            }
            return try Bool.fetchOne(db, sql: "SELECT 1 FROM mirror_cost_code WHERE site_id = ? AND job = ? AND cost_code = ? LIMIT 1",
                                     arguments: [site.id, job, costCode]) ?? false
        }
    }
}
