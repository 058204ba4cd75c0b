import Foundation
import Logging
import PostgresNIO
import TielineCore

/// Creates and drops throwaway databases on a PostgreSQL server, for tests and benchmarks that need an empty hub database.
public enum PostgresScratchDatabase {
    /// Creates an empty database named `prefix` plus a random suffix on `server` (whose user may CREATE DATABASE); returns its location.
    public static func create(on server: PostgresLocation, prefix: String = "tieline_scratch_", logger: Logger = quiet) async throws -> PostgresLocation {
        let name = prefix.lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        _ = try await admin(server, logger: logger) { try await $0.query("CREATE DATABASE \(unescaped: name)", logger: logger) }
        return server.with(database: name)
    }

    /// Drops the database, ending any connections still open to it.
    public static func drop(_ database: PostgresLocation, server: PostgresLocation, logger: Logger = quiet) async throws {
        let name = database.database
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw TielineError(.invalidInput, "'\(name)' is not a scratch database name")
        }
        _ = try await admin(server, logger: logger) { try await $0.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)", logger: logger) }
    }

    /// Runs `body` on one connection to `location`, closed afterwards.
    public static func admin<T>(_ location: PostgresLocation, logger: Logger = quiet, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: try location.connectionConfiguration(), id: 1, logger: logger)
        } catch {
            throw TielineError(.storageFailure, "cannot connect to \(location): \(PostgresHubStorage.reason(error))")
        }
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Logs nothing: callers report failures themselves.
    public static var quiet: Logger { Logger(label: "tieline.postgres.scratch", factory: { _ in SwiftLogNoOpLogHandler() }) }
}
