import Foundation
import TielineCore

/// People who sign in to the hub console: users of one site each, with a role, and their
/// browser sessions. Kept apart from `HubStorage` so each database backend implements it in its own file.
///
/// Passwords arrive already bcrypt-hashed and session ids as their SHA-256: nothing here sees a secret.
public protocol ConsoleAccounts: Sendable {
    /// Adds a user to the named site; a name already used on that site is a conflict.
    func addConsoleUser(site: String, name: String, role: ConsoleRole, passwordHash: String) async throws -> ConsoleUser
    /// Changes a user's role and/or password hash (nil keeps it); a new password ends the user's sessions.
    func updateConsoleUser(site: String, name: String, role: ConsoleRole?, passwordHash: String?) async throws -> ConsoleUser
    /// Removes a user and their sessions.
    func removeConsoleUser(site: String, name: String) async throws
    /// The named site's users, by name.
    func consoleUsers(site: String) async throws -> [ConsoleUser]
    /// A user and their password hash, for sign-in; nil when the site or user is unknown.
    func consoleCredentials(site: String, name: String) async throws -> (user: ConsoleUser, passwordHash: String)?
    /// Stores a new session under the SHA-256 of its id.
    func createConsoleSession(idHash: String, userID: Int64, csrf: String, now: Date, expiresAt: Date) async throws
    /// The unexpired session with this id hash, pushed out to `extendTo`; nil when unknown or expired.
    func consoleSession(idHash: String, now: Date, extendTo: Date) async throws -> ConsoleSession?
    /// Ends a session (Sign out).
    func deleteConsoleSession(idHash: String) async throws
}

/// What a console user may do on their site.
public enum ConsoleRole: String, Sendable, Hashable, Codable, CaseIterable {
    /// The accounting approver: Accepts and Rejects PCCOs.
    case approver
    /// Sees the dashboard and the lists, changes nothing.
    case viewer
    /// The site admin: everything an approver does, and the site's users.
    case admin

    /// The role as people read it.
    public var label: String {
        switch self {
        case .approver: "Accounting approver"
        case .viewer: "Viewer"
        case .admin: "Site admin"
        }
    }

    /// Whether the role may Accept or Reject exports.
    public var decidesExports: Bool { self != .viewer }

    /// Parses `approver`, `viewer` or `admin`.
    public init(argument: String) throws(TielineError) {
        guard let role = ConsoleRole(rawValue: argument.trimmingWhitespace().lowercased()) else {
            throw TielineError(.invalidInput, "role '\(argument.clipped(30))' is not known; use approver, viewer or admin")
        }
        self = role
    }
}

/// A console user, with the site whose data they (and only they) see.
public struct ConsoleUser: Sendable, Hashable, Codable {
    public var id: Int64
    public var site: HubSite
    public var name: String
    public var role: ConsoleRole
    public var createdAt: String

    public init(id: Int64, site: HubSite, name: String, role: ConsoleRole, createdAt: String) {
        self.id = id
        self.site = site
        self.name = name
        self.role = role
        self.createdAt = createdAt
    }
}

/// A signed-in browser session.
public struct ConsoleSession: Sendable, Hashable {
    public var user: ConsoleUser
    /// The token every form of this session must carry.
    public var csrf: String
    public var expiresAt: Date

    public init(user: ConsoleUser, csrf: String, expiresAt: Date) {
        self.user = user
        self.csrf = csrf
        self.expiresAt = expiresAt
    }
}

extension ConsoleUser {
    /// Refuses user names that would be awkward to type or show: 1 to 64 letters, digits, `.`, `_`, `-` or `@`.
    public static func validate(name: String) throws(TielineError) {
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || "._-@".contains($0) }) else {
            throw TielineError(.invalidInput, "user name '\(name.clipped(70))' is not allowed; use 1 to 64 letters, digits, '.', '_', '-' or '@'")
        }
    }
}
