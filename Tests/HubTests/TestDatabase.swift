import Foundation
import GRDB
import Hub
import Logging
import PostgresNIO
import Testing
import TielineCore

/// Which storage a hub test runs on.
enum Backend: String, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    /// The server PostgreSQL cases run on (scripts/test starts one), or nil: then they are not run at all.
    static let postgresServer: PostgresLocation? = ProcessInfo.processInfo.environment["TIELINE_TEST_POSTGRES_URL"]
        .flatMap { $0.isEmpty ? nil : $0 }.map { try! PostgresLocation(url: $0) }

    /// SQLite always; PostgreSQL too when `TIELINE_TEST_POSTGRES_URL` names a server.
    static var all: [Backend] { postgresServer == nil ? [.sqlite] : [.sqlite, .postgres] }

    var testDescription: String { rawValue }
}

/// A fresh, empty hub database for one test: a temporary SQLite file, or a PostgreSQL database created for it.
struct TestDatabase: Sendable {
    let backend: Backend
    let database: HubDatabase
    /// The SQLite file's folder (unused for PostgreSQL).
    let directory: URL

    static func make(_ backend: Backend) async throws -> TestDatabase {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hub-tests-\(UUID().uuidString)")
        switch backend {
        case .sqlite:
            return TestDatabase(backend: backend, database: .sqlite(path: directory.appendingPathComponent("hub.sqlite").path), directory: directory)
        case .postgres:
            let server = try #require(Backend.postgresServer, "TIELINE_TEST_POSTGRES_URL is not set")
            // One database per test: tests stay independent and can run in parallel, NOTIFYs included.
            let location = try await PostgresScratchDatabase.create(on: server, prefix: "tieline_test_")
            return TestDatabase(backend: backend, database: .postgres(location), directory: directory)
        }
    }

    func open() async throws -> any HubStorage {
        try await database.open(logger: Self.quietLogger)
    }

    /// Removes the file or drops the database (closing whatever connections are left).
    func drop() async {
        switch database {
        case .sqlite:
            try? FileManager.default.removeItem(at: directory)
        case .postgres(let location):
            guard let server = Backend.postgresServer else { return }
            try? await PostgresScratchDatabase.drop(location, server: server)
        }
    }

    /// Runs SQL on this test's PostgreSQL database (for checks storage has no method for).
    func postgres<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        guard case .postgres(let location) = database else { throw TielineError(.invalidInput, "not a PostgreSQL test database") }
        return try await PostgresScratchDatabase.admin(location, body)
    }

    /// Runs SQL on this test's database, whichever backend, and returns the first column of each row as text.
    func query(_ sql: String) async throws -> [String] {
        switch database {
        case .sqlite(let path):
            return try await DatabaseQueue(path: path).read { db in try String.fetchAll(db, sql: sql) }
        case .postgres:
            return try await postgres { connection in
                var values: [String] = []
                for try await value in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Self.quietLogger).decode(String.self) {
                    values.append(value)
                }
                return values
            }
        }
    }

    /// Runs SQL that returns nothing on this test's database, whichever backend.
    func execute(_ sql: String) async throws {
        switch database {
        case .sqlite(let path):
            try await DatabaseQueue(path: path).write { db in try db.execute(sql: sql) }
        case .postgres:
            try await postgres { connection in _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Self.quietLogger) }
        }
    }

    /// The storage, its long-polls re-checking the database only every `recheck` (so a test sees whether the wake-up works).
    func open(recheck: Duration) async throws -> any HubStorage {
        switch database {
        case .sqlite(let path): try SQLiteHubStorage(path: path, recheck: recheck)
        case .postgres(let location): try await PostgresHubStorage(location, recheck: recheck, logger: Self.quietLogger)
        }
    }

    /// Opens a storage on a fresh database, runs `body` with it running, and always stops it and drops the database.
    static func with<T>(_ backend: Backend, recheck: Duration? = nil, _ body: (any HubStorage, TestDatabase) async throws -> T) async throws -> T {
        let database = try await make(backend)
        do {
            let storage = if let recheck { try await database.open(recheck: recheck) } else { try await database.open() }
            let result = try await storage.withRunning { try await body(storage, database) }
            await database.drop()
            return result
        } catch {
            await database.drop()
            throw error
        }
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "hub-tests")
        logger.logLevel = .critical
        return logger
    }
}

/// PostgreSQL must not silently drop out of CI: there, a missing server fails the run instead of skipping its cases.
@Suite struct BackendCoverageTests {
    @Test func ciRunsThePostgresCases() {
        let ci = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "false" && $0 != "0" } ?? false
        if ci && Backend.postgresServer == nil {
            Issue.record("CI is set but TIELINE_TEST_POSTGRES_URL is not: the PostgreSQL hub cases did not run. Run the suite with scripts/test, which starts a throwaway PostgreSQL 15.")
        }
    }
}
