import ConsoleSupport
import Foundation
import TielineCore

/// The agent console's admin password: set on first start, kept bcrypt-hashed in
/// `console-password` (mode 0600) in the agent's home. Never stored or logged in clear.
public struct AdminPassword: Sendable {
    public let url: URL
    public let hasher: PasswordHasher

    public init(home: TielineHome, hasher: PasswordHasher = PasswordHasher()) {
        url = home.path("console-password")
        self.hasher = hasher
    }

    /// Whether a password was set (until then the console shows only its setup page).
    public var isSet: Bool { storedHash != nil }

    var storedHash: String? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingWhitespace()
        return text.hasPrefix("$2") ? text : nil
    }

    /// Sets the password; refuses when one is already set (`replace` changes it knowingly).
    public func set(_ password: String, replace: Bool = false) async throws {
        try PasswordHasher.validate(password)
        if isSet && !replace {
            throw TielineError(.conflict, "the console password is already set; sign in with it")
        }
        let hash = try await hasher.hash(password)
        try AtomicFile.write(Data((hash + "\n").utf8), to: url, permissions: 0o600)
    }

    /// Whether `password` is the admin password.
    public func verify(_ password: String) async throws -> Bool {
        guard let hash = storedHash else { return false }
        return try await hasher.verify(password, hash: hash)
    }
}
