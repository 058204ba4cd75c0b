import Foundation
import PostgresNIO
import TielineCore

/// Console users and sessions in the hub's PostgreSQL database (tables `console_user`, `console_session`), as SQLite keeps them.
extension PostgresHubStorage: ConsoleAccounts {
    public func addConsoleUser(site: String, name: String, role: ConsoleRole, passwordHash: String) async throws -> ConsoleUser {
        try ConsoleUser.validate(name: name)
        return try await transaction { db in
            let siteID = try await Self.siteID(named: site, db)
            // ON CONFLICT, not a look first: two processes adding one name must not both succeed.
            guard let id = try await db.one("""
                INSERT INTO console_user (site_id, name, role, password_hash, created_at)
                VALUES (\(siteID), \(name), \(role.rawValue), \(passwordHash), \(Self.now()))
                ON CONFLICT (site_id, name) DO NOTHING RETURNING id
                """, Int64.self) else {
                throw StorageRules.userExists(site: site, name: name)
            }
            return try await Self.consoleUsers(db, id: id).first!.user
        }
    }

    public func updateConsoleUser(site: String, name: String, role: ConsoleRole?, passwordHash: String?) async throws -> ConsoleUser {
        try await transaction { db in
            let siteID = try await Self.siteID(named: site, db)
            guard let found = try await Self.consoleUsers(db, siteID: siteID, name: name).first else {
                throw StorageRules.noUser(site: site, name: name)
            }
            if let role {
                try await db.run("UPDATE console_user SET role = \(role.rawValue) WHERE id = \(found.user.id)")
            }
            if let passwordHash {
                try await db.run("UPDATE console_user SET password_hash = \(passwordHash) WHERE id = \(found.user.id)")
                try await db.run("DELETE FROM console_session WHERE user_id = \(found.user.id)")
            }
            return try await Self.consoleUsers(db, id: found.user.id).first!.user
        }
    }

    public func removeConsoleUser(site: String, name: String) async throws {
        try await transaction { db in
            let siteID = try await Self.siteID(named: site, db)
            guard let id = try await db.one("SELECT id FROM console_user WHERE site_id = \(siteID) AND name = \(name)", Int64.self) else {
                throw StorageRules.noUser(site: site, name: name)
            }
            try await db.run("DELETE FROM console_session WHERE user_id = \(id)")
            try await db.run("DELETE FROM console_user WHERE id = \(id)")
        }
    }

    public func consoleUsers(site: String) async throws -> [ConsoleUser] {
        try await read { db in
            let siteID = try await Self.siteID(named: site, db)
            return try await Self.consoleUsers(db, siteID: siteID).map(\.user)
        }
    }

    public func consoleCredentials(site: String, name: String) async throws -> (user: ConsoleUser, passwordHash: String)? {
        try await read { db in
            guard let siteID = try await db.one("SELECT id FROM site WHERE name = \(site)", Int64.self) else { return nil }
            return try await Self.consoleUsers(db, siteID: siteID, name: name).first
        }
    }

    public func createConsoleSession(idHash: String, userID: Int64, csrf: String, now: Date, expiresAt: Date) async throws {
        try await transaction { db in
            // Expired sessions go when new ones come, so the table stays small without a sweeper.
            try await db.run("DELETE FROM console_session WHERE expires_at < \(now.timeIntervalSince1970)")
            try await db.run("""
                INSERT INTO console_session (id_hash, user_id, csrf, created_at, expires_at)
                VALUES (\(idHash), \(userID), \(csrf), \(now.timeIntervalSince1970), \(expiresAt.timeIntervalSince1970))
                """)
        }
    }

    public func consoleSession(idHash: String, now: Date, extendTo: Date) async throws -> ConsoleSession? {
        try await transaction { db in
            guard let (userID, csrf, expires) = try await db.one("""
                SELECT user_id, csrf, expires_at FROM console_session WHERE id_hash = \(idHash) FOR UPDATE
                """, (Int64, String, Double).self) else { return nil }
            guard expires >= now.timeIntervalSince1970 else {
                try await db.run("DELETE FROM console_session WHERE id_hash = \(idHash)")
                return nil
            }
            guard let user = try await Self.consoleUsers(db, id: userID).first?.user else { return nil }
            try await db.run("UPDATE console_session SET expires_at = \(extendTo.timeIntervalSince1970) WHERE id_hash = \(idHash)")
            return ConsoleSession(user: user, csrf: csrf, expiresAt: extendTo)
        }
    }

    public func deleteConsoleSession(idHash: String) async throws {
        try await transaction { db in
            try await db.run("DELETE FROM console_session WHERE id_hash = \(idHash)")
        }
    }

    /// Users with their site and password hash: one by id, or a site's (one by name, or all by name).
    static func consoleUsers(_ db: PostgresDB, id: Int64? = nil, siteID: Int64? = nil, name: String? = nil) async throws
        -> [(user: ConsoleUser, passwordHash: String)] {
        try await db.all("""
            SELECT u.id, u.name, u.role, u.password_hash, u.created_at, s.id, s.name, s.created_at
            FROM console_user u JOIN site s ON s.id = u.site_id
            WHERE (\(id)::bigint IS NULL OR u.id = \(id)::bigint) AND (\(siteID)::bigint IS NULL OR u.site_id = \(siteID)::bigint)
              AND (\(name)::text IS NULL OR u.name = \(name)::text)
            ORDER BY u.name
            """, (Int64, String, String, String, String, Int64, String, String).self).map { row in
            let site = HubSite(id: row.5, name: row.6, createdAt: row.7, activeTokens: 0)
            return (ConsoleUser(id: row.0, site: site, name: row.1, role: ConsoleRole(rawValue: row.2) ?? .viewer, createdAt: row.4), row.3)
        }
    }
}
