import Foundation
import GRDB
import TielineCore

/// Console users and sessions in the hub's SQLite database (tables `console_user`, `console_session`).
extension SQLiteHubStorage: ConsoleAccounts {
    public func addConsoleUser(site: String, name: String, role: ConsoleRole, passwordHash: String) async throws -> ConsoleUser {
        try ConsoleUser.validate(name: name)
        return try await pool.write { db in
            let siteID = try Self.siteID(named: site, db)
            if try Int.fetchOne(db, sql: "SELECT 1 FROM console_user WHERE site_id = ? AND name = ?", arguments: [siteID, name]) != nil {
                throw StorageRules.userExists(site: site, name: name)
            }
            try db.execute(sql: """
                INSERT INTO console_user (site_id, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [siteID, name, role.rawValue, passwordHash, Self.now()])
            return try Self.consoleUser(where: "u.id = ?", [db.lastInsertedRowID], db)!.user
        }
    }

    public func updateConsoleUser(site: String, name: String, role: ConsoleRole?, passwordHash: String?) async throws -> ConsoleUser {
        try await pool.write { db in
            let siteID = try Self.siteID(named: site, db)
            guard let found = try Self.consoleUser(where: "u.site_id = ? AND u.name = ?", [siteID, name], db) else {
                throw StorageRules.noUser(site: site, name: name)
            }
            if let role {
                try db.execute(sql: "UPDATE console_user SET role = ? WHERE id = ?", arguments: [role.rawValue, found.user.id])
            }
            if let passwordHash {
                try db.execute(sql: "UPDATE console_user SET password_hash = ? WHERE id = ?", arguments: [passwordHash, found.user.id])
                try db.execute(sql: "DELETE FROM console_session WHERE user_id = ?", arguments: [found.user.id])
            }
            return try Self.consoleUser(where: "u.id = ?", [found.user.id], db)!.user
        }
    }

    public func removeConsoleUser(site: String, name: String) async throws {
        try await pool.write { db in
            let siteID = try Self.siteID(named: site, db)
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM console_user WHERE site_id = ? AND name = ?", arguments: [siteID, name]) else {
                throw StorageRules.noUser(site: site, name: name)
            }
            try db.execute(sql: "DELETE FROM console_session WHERE user_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM console_user WHERE id = ?", arguments: [id])
        }
    }

    public func consoleUsers(site: String) async throws -> [ConsoleUser] {
        try await pool.read { db in
            let siteID = try Self.siteID(named: site, db)
            return try Self.consoleUsers(where: "u.site_id = ? ORDER BY u.name", [siteID], db).map(\.user)
        }
    }

    public func consoleCredentials(site: String, name: String) async throws -> (user: ConsoleUser, passwordHash: String)? {
        try await pool.read { db in
            try Self.consoleUser(where: "s.name = ? AND u.name = ?", [site, name], db)
        }
    }

    public func createConsoleSession(idHash: String, userID: Int64, csrf: String, now: Date, expiresAt: Date) async throws {
        try await pool.write { db in
            // Expired sessions go when new ones come, so the table stays small without a sweeper.
            try db.execute(sql: "DELETE FROM console_session WHERE expires_at < ?", arguments: [now.timeIntervalSince1970])
            try db.execute(sql: """
                INSERT INTO console_session (id_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [idHash, userID, csrf, now.timeIntervalSince1970, expiresAt.timeIntervalSince1970])
        }
    }

    public func consoleSession(idHash: String, now: Date, extendTo: Date) async throws -> ConsoleSession? {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT user_id, csrf, expires_at FROM console_session WHERE id_hash = ?",
                                             arguments: [idHash]) else { return nil }
            let expires: Double = row["expires_at"]
            guard expires >= now.timeIntervalSince1970 else {
                try db.execute(sql: "DELETE FROM console_session WHERE id_hash = ?", arguments: [idHash])
                return nil
            }
            guard let user = try Self.consoleUser(where: "u.id = ?", [row["user_id"] as Int64], db)?.user else { return nil }
            try db.execute(sql: "UPDATE console_session SET expires_at = ? WHERE id_hash = ?",
                           arguments: [extendTo.timeIntervalSince1970, idHash])
            return ConsoleSession(user: user, csrf: row["csrf"], expiresAt: extendTo)
        }
    }

    public func deleteConsoleSession(idHash: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM console_session WHERE id_hash = ?", arguments: [idHash])
        }
    }

    static func consoleUser(where condition: String, _ arguments: StatementArguments, _ db: Database) throws -> (user: ConsoleUser, passwordHash: String)? {
        try consoleUsers(where: condition + " LIMIT 1", arguments, db).first
    }

    static func consoleUsers(where condition: String, _ arguments: StatementArguments, _ db: Database) throws -> [(user: ConsoleUser, passwordHash: String)] {
        try Row.fetchAll(db, sql: """
            SELECT u.id, u.name, u.role, u.password_hash, u.created_at, s.id AS site_id, s.name AS site_name, s.created_at AS site_created
            FROM console_user u JOIN site s ON s.id = u.site_id WHERE \(condition)
            """, arguments: arguments).map { row in
            let site = HubSite(id: row["site_id"], name: row["site_name"], createdAt: row["site_created"], activeTokens: 0)
            let user = ConsoleUser(id: row["id"], site: site, name: row["name"],
                                   role: ConsoleRole(rawValue: row["role"]) ?? .viewer, createdAt: row["created_at"])
            return (user, row["password_hash"])
        }
    }
}
