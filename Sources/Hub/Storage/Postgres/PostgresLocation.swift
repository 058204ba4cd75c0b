import Foundation
import PostgresNIO
import TielineCore

/// A PostgreSQL server and database, from a `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=...]` URL.
///
/// The password is kept only to connect: `description` (used in every message) never shows it.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    /// How TLS is used, in libpq's words.
    public enum SSLMode: String, Sendable, Hashable {
        case disable, prefer, require
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode

    public init(host: String, port: Int = 5432, user: String, password: String? = nil, database: String, sslMode: SSLMode = .prefer) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.sslMode = sslMode
    }

    /// Parses a `postgres://` or `postgresql://` URL; errors name the part that is wrong, never the password.
    public init(url text: String) throws(TielineError) {
        let shown = Self.redact(text)
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "postgres" || scheme == "postgresql" else {
            throw TielineError(.invalidInput, "--database '\(shown)' is not a postgres://USER@HOST:PORT/DB URL")
        }
        guard let host = components.host, !host.isEmpty else {
            throw TielineError(.invalidInput, "--database '\(shown)' has no host; write postgres://USER@HOST:PORT/DB")
        }
        guard let user = components.user?.removingPercentEncoding, !user.isEmpty else {
            throw TielineError(.invalidInput, "--database '\(shown)' has no user; write postgres://USER@HOST:PORT/DB")
        }
        let database = String(components.path.drop(while: { $0 == "/" })).removingPercentEncoding ?? ""
        guard !database.isEmpty, !database.contains("/") else {
            throw TielineError(.invalidInput, "--database '\(shown)' names no database; write postgres://USER@HOST:PORT/DB")
        }
        var sslMode = SSLMode.prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(SSLMode.init(rawValue:)) else {
                    throw TielineError(.invalidInput, "--database: sslmode must be disable, prefer or require, not '\(item.value ?? "")'")
                }
                sslMode = mode
            default:
                throw TielineError(.invalidInput, "--database: unknown parameter '\(item.name)'; only sslmode is understood")
            }
        }
        self.init(host: host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host, port: components.port ?? 5432,
                  user: user, password: components.password?.removingPercentEncoding, database: database, sslMode: sslMode)
    }

    /// The URL with the password replaced by `***`.
    public var description: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        let user = self.user.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? self.user
        let database = self.database.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? self.database
        return "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)\(sslMode == .prefer ? "" : "?sslmode=\(sslMode.rawValue)")"
    }

    /// The same server, another database (tests and benchmarks make scratch databases).
    public func with(database: String) -> PostgresLocation {
        var copy = self
        copy.database = database
        return copy
    }

    /// Hides the password of anything that looks like `scheme://user:password@host`, for messages about text that did not parse.
    public static func redact(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://"), let at = text[schemeEnd.upperBound...].lastIndex(of: "@") else { return text }
        let credentials = text[schemeEnd.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }

    var clientConfiguration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = switch sslMode {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
        return PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }

    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS = switch sslMode {
        case .disable: .disable
        case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        return PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }
}
