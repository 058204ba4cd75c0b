import Logging
import PostgresNIO
import TielineCore

/// One leased connection, with the few query shapes the storage needs.
struct PostgresDB {
    let connection: PostgresConnection
    let logger: Logger

    /// Runs a statement and drains its result.
    func run(_ query: PostgresQuery) async throws {
        for try await _ in try await connection.query(query, logger: logger) {}
    }

    /// Runs a prepared statement that returns no rows, to its end (its errors thrown here), preparing it on the
    /// connection's first use.
    func run<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws where Statement.Row == () {
        // Drained as a row sequence: postgres-nio's overload that returns the command tag traps when it reads a tag
        // before the stream has finished (postgres-nio 1.33's PSQLRowStream.commandTag precondition).
        for try await _ in try await connection.execute(statement, logger: logger) as AsyncThrowingMapSequence<PostgresRowSequence, ()> {}
    }

    /// Every row, decoded as `types`.
    func all<each Column: PostgresDecodable>(_ query: PostgresQuery, _ types: (repeat each Column).Type) async throws -> [(repeat each Column)] {
        var rows: [(repeat each Column)] = []
        for try await row in try await connection.query(query, logger: logger) {
            rows.append(try row.decode(types))
        }
        return rows
    }

    /// The first row, decoded as `types`, or nil when there is none.
    func one<each Column: PostgresDecodable>(_ query: PostgresQuery, _ types: (repeat each Column).Type) async throws -> (repeat each Column)? {
        var first: (repeat each Column)?
        for try await row in try await connection.query(query, logger: logger) where first == nil {
            first = try row.decode(types)
        }
        return first
    }

    /// Whether the query returns a row.
    func exists(_ query: PostgresQuery) async throws -> Bool {
        var found = false
        for try await _ in try await connection.query(query, logger: logger) { found = true }
        return found
    }
}

extension PostgresHubStorage {
    /// Runs `body` in one transaction (committed when it returns, rolled back when it throws), retrying a deadlock or a
    /// serialization failure; `body` may run more than once, so it only touches the database.
    func transaction<T: Sendable>(_ body: (PostgresDB) async throws -> T) async throws -> T {
        try await translatingErrors {
            var attempt = 1
            while true {
                do {
                    return try await client.withConnection { connection in
                        let db = PostgresDB(connection: connection, logger: logger)
                        try await db.run("BEGIN")
                        do {
                            let value = try await body(db)
                            try await db.run("COMMIT")
                            return value
                        } catch {
                            try? await db.run("ROLLBACK")
                            throw error
                        }
                    }
                } catch let error as PSQLError where attempt < 4 && Self.isTransient(error) {
                    logger.info("retrying a hub database transaction", metadata: ["attempt": "\(attempt)", "reason": "\(Self.reason(error))"])
                    attempt += 1
                }
            }
        }
    }

    /// Runs read-only `body` on a pooled connection, outside any explicit transaction.
    func read<T: Sendable>(_ body: (PostgresDB) async throws -> T) async throws -> T {
        try await translatingErrors {
            try await client.withConnection { connection in try await body(PostgresDB(connection: connection, logger: logger)) }
        }
    }

    /// `TielineError`s pass through; database errors are logged in full and reported by SQLSTATE only, never echoing SQL.
    func translatingErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as TielineError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            logger.error("hub database failure", metadata: ["database": "\(location)", "error": "\(Self.reason(error))"])
            if let state = (error as? PSQLError)?.serverInfo?[.sqlState] {
                throw TielineError(.storageFailure, "the hub's PostgreSQL database failed (SQLSTATE \(state)); details are in the hub's log")
            }
            throw TielineError(.storageFailure, "the hub's PostgreSQL database at \(location) is unreachable or failed; details are in the hub's log")
        }
    }

    /// Deadlock (40P01) or serialization failure (40001): running the transaction again succeeds.
    static func isTransient(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40P01" || state == "40001"
    }

    /// What went wrong, for logs and for failures to connect: the server's message, or the connection error.
    static func reason(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] {
            return "\(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))"
        }
        if let underlying = error.underlying { return "\(underlying)" }
        return "\(error.code)"
    }
}
