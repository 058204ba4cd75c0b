import Foundation
import Logging
import TielineCore

/// Where a hub keeps its data, as written after `--database`: `sqlite:FILE`, a plain path, or a `postgres://` URL.
public enum HubDatabase: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    /// Reads a `--database` value; the URL scheme picks the backend. A PostgreSQL URL without a password takes
    /// `environment["PGPASSWORD"]`, as libpq does, so the password need not be on a command line.
    public init(parsing text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(TielineError) {
        let lowered = text.lowercased()
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            var location = try PostgresLocation(url: text)
            if location.password == nil, let password = environment["PGPASSWORD"], !password.isEmpty { location.password = password }
            self = .postgres(location)
        } else if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count)).replacingOccurrences(of: "//", with: "", options: .anchored)
            guard !path.isEmpty else { throw TielineError(.invalidInput, "--database sqlite: needs a file, e.g. sqlite:/var/lib/tieline/hub.sqlite") }
            self = .sqlite(path: (path as NSString).expandingTildeInPath)
        } else if text.contains("://") {
            throw TielineError(.invalidInput, "--database '\(PostgresLocation.redact(text))': use sqlite:FILE or postgres://USER@HOST:PORT/DB")
        } else {
            self = .sqlite(path: (text as NSString).expandingTildeInPath)
        }
    }

    /// Opens (creating and migrating as needed) the storage, failing at once when it cannot. Its background work
    /// is not running yet: run it in the hub's ServiceGroup (`HubServer.start(…, runStorage: true)`) or use
    /// `withStorage` instead.
    public func open(logger: Logger = Logger(label: "tieline.hub.storage")) async throws -> any HubStorage {
        switch self {
        case .sqlite(let path): try SQLiteHubStorage(path: path)
        case .postgres(let location): try await PostgresHubStorage(location, logger: logger)
        }
    }

    /// Opens the storage, runs `body` on it with its background work running, and stops that work afterwards
    /// (also when `body` throws): for commands and tests that use the database without a hub server.
    public func withStorage<T>(logger: Logger = Logger(label: "tieline.hub.storage"), _ body: (any HubStorage) async throws -> T) async throws -> T {
        let storage = try await open(logger: logger)
        return try await storage.withRunning { try await body(storage) }
    }

    /// The database for messages: a path, or the URL without its password.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let location): location.description
        }
    }
}
