import ConsoleSupport
import Foundation
import Synchronization

/// Signed-in browser sessions of the agent console, in memory: a restart signs everyone out.
/// Only the SHA-256 of a session id is kept, like the hub keeps its tokens.
public final class AgentSessions: Sendable {
    struct Session {
        var csrf: String
        var expires: Date
    }

    /// Idle time after which a session ends.
    public let idleTimeout: TimeInterval
    private let sessions = Mutex<[String: Session]>([:])

    public init(idleTimeout: TimeInterval = 8 * 3600) { self.idleTimeout = idleTimeout }

    /// Starts a session; returns its id (for the cookie) and CSRF token.
    func create(now: Date = Date()) -> (id: String, csrf: String) {
        let id = ConsoleSecrets.token()
        let csrf = ConsoleSecrets.token()
        sessions.withLock { table in
            table = table.filter { $0.value.expires > now }
            table[ConsoleSecrets.sha256(id)] = Session(csrf: csrf, expires: now.addingTimeInterval(idleTimeout))
        }
        return (id, csrf)
    }

    /// The session's CSRF token, extending its life; nil for unknown or expired ids.
    func touch(_ id: String, now: Date = Date()) -> String? {
        let key = ConsoleSecrets.sha256(id)
        return sessions.withLock { table in
            guard var session = table[key], session.expires > now else {
                table[key] = nil
                return nil
            }
            session.expires = now.addingTimeInterval(idleTimeout)
            table[key] = session
            return session.csrf
        }
    }

    /// Ends a session (Sign out).
    func end(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: ConsoleSecrets.sha256(id)) }
    }
}
