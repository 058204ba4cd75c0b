import HummingbirdBcrypt
import NIOPosix
import Synchronization
import TielineCore

/// bcrypt hashing for console passwords, run off the async executor (it is slow on purpose).
public struct PasswordHasher: Sendable {
    /// log2 of bcrypt's rounds; 12 in production, lower only in tests.
    public let cost: UInt8

    public init(cost: UInt8 = 12) { self.cost = max(4, min(cost, 31)) }

    /// The shortest password a console accepts.
    public static let minimumLength = 8

    /// Refuses passwords that are too short or too long for bcrypt (which reads 72 bytes).
    public static func validate(_ password: String) throws(TielineError) {
        guard password.count >= minimumLength else {
            throw TielineError(.weakPassword, "the password must be at least \(minimumLength) characters")
        }
        guard password.utf8.count <= 72 else {
            throw TielineError(.weakPassword, "the password must be at most 72 bytes (bcrypt reads no more)")
        }
    }

    /// The bcrypt hash of `password` (`$2b$12$…`).
    public func hash(_ password: String) async throws -> String {
        let cost = cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches `hash`.
    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// Spends what a real check costs, for a user that does not exist, so the answer's timing cannot tell
    /// known user names from unknown ones. Always false.
    public func verifyUnknownUser(_ password: String) async throws -> Bool {
        let decoy: String
        if let cached = Self.decoys.withLock({ $0[cost] }) {
            decoy = cached
        } else {
            decoy = try await hash(ConsoleSecrets.token())
            Self.decoys.withLock { $0[cost] = decoy }
        }
        _ = try await verify(password, hash: decoy)
        return false
    }

    /// One decoy hash per cost, made on first use.
    private static let decoys = Mutex<[UInt8: String]>([:])
}

extension TielineError.Code {
    /// A password a console refuses to store.
    public static let weakPassword = Self("weak_password")
    /// A form posted without this session's CSRF token.
    public static let csrfRejected = Self("csrf_rejected")
    /// Sign-in failed (wrong user or password), or too many attempts.
    public static let signInFailed = Self("sign_in_failed")
}
