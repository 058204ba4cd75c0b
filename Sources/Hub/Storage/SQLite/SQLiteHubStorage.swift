import Foundation
import GRDB
import ServiceLifecycle
import SyncCore
import TielineCore

/// `HubStorage` in one SQLite file (WAL mode: readers never wait for a batch being applied).
public final class SQLiteHubStorage: HubStorage {
    /// Validation's recent answers from the mirror (forgotten per site as batches and completions change it).
    public let mirrorFacts = MirrorFacts()
    let pool: DatabasePool
    /// Where the database lives, for messages.
    public let path: String
    /// Wakes this process's long-polls when an export becomes claimable.
    let signal = ExportSignal()
    /// How often a waiting long-poll also looks at the database (an Accept by another process, a lapsing claim).
    let recheck: Duration
    /// Cost-code index entries this process has stored, so a Deep sync does not insert the same ones batch after batch.
    let knownCostCodes = KnownCostCodes()

    /// Opens (creating if needed) and migrates the database at `path`.
    public init(path: String, recheck: Duration = .milliseconds(200)) throws {
        self.path = path
        self.recheck = recheck
        // Sites' token hashes and sealed secrets live here: a new home is the owner's alone (0700), the file 0600.
        // SQLite gives the -wal and -shm files the database file's mode.
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(),
                                                withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // SQLite's 4 KiB pages stay: 16 KiB pages saved a Deep sync about a tenth of the hub's CPU (a quarter of
            // the WAL's write calls) but made a burst of 200 exports about a fifth slower, each small commit
            // writing four times the bytes.
            // 16 MiB of page cache per connection: SQLite's 2 MiB default makes large Deep syncs page-bound,
            // while 64 MiB bought no speed (rows mostly arrive in key order) and cost the hub its memory target.
            try db.execute(sql: "PRAGMA cache_size = -16384")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try HubSchema.migrator.migrate(pool)
        } catch {
            throw TielineError(.storageFailure, "cannot open the hub database \(path): \(error)")
        }
    }

    static func now() -> String { Date().ISO8601Format() }

    /// No background work: waits for a graceful shutdown or cancellation. (GRDB closes the file when the last
    /// reference goes, so the storage may also be used without running it.)
    public func run() async throws {
        try? await gracefulShutdown()
    }

    public func addSite(_ name: String) async throws -> String {
        let name = try StorageRules.siteName(name)
        let token = SiteToken.generate()
        try await pool.write { db in
            if try Int.fetchOne(db, sql: "SELECT 1 FROM site WHERE name = ?", arguments: [name]) != nil {
                throw StorageRules.siteExists(name)
            }
            let now = Self.now()
            try db.execute(sql: "INSERT INTO site (name, created_at) VALUES (?, ?)", arguments: [name, now])
            try db.execute(sql: "INSERT INTO site_token (token_hash, site_id, created_at) VALUES (?, ?, ?)",
                           arguments: [SiteToken.hash(token), db.lastInsertedRowID, now])
        }
        return token
    }

    public func sites() async throws -> [HubSite] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.id, s.name, s.created_at,
                       (SELECT COUNT(*) FROM site_token t WHERE t.site_id = s.id AND t.revoked_at IS NULL) AS active
                FROM site s ORDER BY s.name
                """).map { HubSite(id: $0["id"], name: $0["name"], createdAt: $0["created_at"], activeTokens: $0["active"]) }
        }
    }

    public func rotateToken(site name: String) async throws -> String {
        let token = SiteToken.generate()
        try await pool.write { db in
            let id = try Self.siteID(named: name, db)
            let now = Self.now()
            try db.execute(sql: "UPDATE site_token SET revoked_at = ? WHERE site_id = ? AND revoked_at IS NULL", arguments: [now, id])
            try db.execute(sql: "INSERT INTO site_token (token_hash, site_id, created_at) VALUES (?, ?, ?)",
                           arguments: [SiteToken.hash(token), id, now])
        }
        return token
    }

    public func revokeTokens(site name: String) async throws {
        try await pool.write { db in
            let id = try Self.siteID(named: name, db)
            try db.execute(sql: "UPDATE site_token SET revoked_at = ? WHERE site_id = ? AND revoked_at IS NULL",
                           arguments: [Self.now(), id])
        }
    }

    public func site(forToken token: String) async throws -> HubSite? {
        // Only well-formed tokens reach the database; anything else cannot match a stored hash.
        guard token.hasPrefix("tl_"), token.count < 200 else { return nil }
        let hash = SiteToken.hash(token)
        return try await pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT s.id, s.name, s.created_at FROM site_token t JOIN site s ON s.id = t.site_id
                WHERE t.token_hash = ? AND t.revoked_at IS NULL
                """, arguments: [hash]).map { HubSite(id: $0["id"], name: $0["name"], createdAt: $0["created_at"], activeTokens: 1) }
        }
    }

    static func siteID(named name: String, _ db: Database) throws -> Int64 {
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM site WHERE name = ?", arguments: [name]) else {
            let known = try String.fetchAll(db, sql: "SELECT name FROM site ORDER BY name")
            throw StorageRules.noSite(name, known: known)
        }
        return id
    }
}
