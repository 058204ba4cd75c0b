/// A connection to a database through the system's ODBC driver manager (unixODBC on Linux, iODBC or unixODBC on macOS).
///
/// Thread-confined: use one connection from one task or thread at a time (it is not `Sendable`).
/// Identifiers are quoted ANSI-style (`"JCT_CURRENT__TRANSACTION"`), which Sage's Timberline driver,
/// SQLite and PostgreSQL all accept.
public final class ODBCConnection: CustomStringConvertible {
    private let manager: ODBCDriverManager
    private var environment: SQLHandle?
    private var connection: SQLHandle?
    private let secrets: [String]
    /// The connection string with passwords replaced by `***`.
    public let redactedConnectionString: String

    /// Connects with `connectionString` (e.g. `DSN=Sage;UID=...;PWD=...` or `Driver=SQLite3;Database=/path`), never prompting.
    public init(connectionString: String) throws(ODBCError) {
        manager = try ODBCDriverManager.shared.get()
        secrets = ConnectionString.secrets(in: connectionString)
        redactedConnectionString = ODBCError.redacted(connectionString)
        do throws(ODBCError) {
            try connect(connectionString)
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    public var description: String { "ODBCConnection(\(redactedConnectionString))" }

    private func connect(_ connectionString: String) throws(ODBCError) {
        var env: SQLHandle?
        guard SQL.succeeded(manager.allocHandle(SQL.handleEnv, nil, &env)), let env else {
            throw ODBCError(.connectFailed, "the ODBC driver manager \(manager.libraryName) could not allocate an environment")
        }
        environment = env
        let version = manager.setEnvAttr(env, SQL.attrODBCVersion, UnsafeMutableRawPointer(bitPattern: SQL.ov_odbc3), 0)
        guard SQL.succeeded(version) else {
            let diagnostics = manager.diagnostics(SQL.handleEnv, env)
            throw ODBCError(.connectFailed, sqlState: diagnostics.state, "could not select ODBC 3 behaviour: \(diagnostics.message)")
        }
        var dbc: SQLHandle?
        guard SQL.succeeded(manager.allocHandle(SQL.handleDbc, env, &dbc)), let dbc else {
            let diagnostics = manager.diagnostics(SQL.handleEnv, env)
            throw ODBCError(.connectFailed, sqlState: diagnostics.state, "could not allocate a connection: \(diagnostics.message)")
        }
        var text = Array(connectionString.utf8)
        guard text.count < Int(Int16.max) else {
            throw ODBCError(.connectFailed, "the connection string is longer than ODBC allows (\(text.count) bytes)")
        }
        var completed = [UInt8](repeating: 0, count: 1024)
        var completedLength: Int16 = 0
        let rc = manager.driverConnect(dbc, nil, &text, Int16(text.count), &completed, Int16(completed.count),
                                       &completedLength, SQL.driverNoPrompt)
        guard SQL.succeeded(rc) else {
            let diagnostics = manager.diagnostics(SQL.handleDbc, dbc)
            _ = manager.freeHandle(SQL.handleDbc, dbc)
            throw scrubbed(connectError(state: diagnostics.state, message: diagnostics.message, connectionString))
        }
        connection = dbc
    }

    private func connectError(state: String?, message: String, _ connectionString: String) -> ODBCError {
        let driver = ConnectionString.value(of: "Driver", in: connectionString)
        let dsn = ConnectionString.value(of: "DSN", in: connectionString)
        let said = message.isEmpty ? "" : " (driver manager: \(message))"
        // unixODBC reports an unknown `Driver=` name as a library it "Can't open", with SQLSTATE 01000;
        // a registered driver whose library is gone is the same message with the library's path.
        let cannotOpen = message.contains("Can't open lib")
        let unregistered = cannotOpen && driver.map { message.contains("'\($0)'") } == true
        if state == "IM002" || unregistered {
            let name = driver ?? dsn ?? "(none given: add DSN=... or Driver=...)"
            return ODBCError(.driverMissing, sqlState: state,
                             "no ODBC driver or DSN named \(name) in \(redactedConnectionString)\(said); "
                             + "list them with `odbcinst -q -d` (drivers) / `odbcinst -q -s` (DSNs), or the ODBC Data Sources tool on Windows")
        }
        if state == "IM003" || cannotOpen {
            let name = driver.map { "driver \($0)" } ?? dsn.map { "driver of DSN \($0)" } ?? "ODBC driver"
            return ODBCError(.driverMissing, sqlState: state,
                             "the \(name) is registered but its library could not be loaded\(said); "
                             + "reinstall the driver (Debian: apt-get install libsqliteodbc for SQLite3), then check with `odbcinst -q -d`")
        }
        return ODBCError(.connectFailed, sqlState: state,
                         "could not connect with \(redactedConnectionString)\(said); check the DSN or database path, the user and the password")
    }

    /// Disconnects and frees the handles; later calls throw. Safe to call twice.
    public func close() {
        if let connection {
            _ = manager.disconnect(connection)
            _ = manager.freeHandle(SQL.handleDbc, connection)
            self.connection = nil
        }
        if let environment {
            _ = manager.freeHandle(SQL.handleEnv, environment)
            self.environment = nil
        }
    }

    /// Runs `sql` with `parameters` bound to its `?` markers and calls `row` for each row as it is fetched.
    ///
    /// `columns`, when given, is the column count the caller expects; another count throws `queryFailed`.
    /// Errors thrown by `row` stop the query and are rethrown as they are.
    public func query(_ sql: String, parameters: [ODBCValue] = [], columns: Int? = nil,
                      each row: ([ODBCValue]) throws -> Void) throws {
        let statement = try open(sql, parameters)
        defer { statement.close() }
        if let columns, statement.columns.count != columns {
            throw ODBCError(.queryFailed, "expected \(columns) columns but the query returns \(statement.columns.count): \(Self.excerpt(sql))")
        }
        while let values = try statement.next() {
            try row(values)
        }
    }

    /// The first column of the first row, or nil when there is no row.
    public func scalar(_ sql: String, parameters: [ODBCValue] = []) throws(ODBCError) -> ODBCValue? {
        let statement = try open(sql, parameters)
        defer { statement.close() }
        return try statement.next()?.first
    }

    /// Runs a statement that returns no rows; the count of rows it changed, or -1 when the driver does not say.
    @discardableResult
    public func execute(_ sql: String, parameters: [ODBCValue] = []) throws(ODBCError) -> Int {
        let statement = try open(sql, parameters)
        defer { statement.close() }
        return try statement.rowCount()
    }

    /// Checks that `table` exists with every one of `columns`, without listing the database's tables.
    ///
    /// Runs `SELECT "T"."C1", ... FROM "T" WHERE 1=0`; only if that fails are the table (`SELECT *`) and then
    /// each column probed alone, so the error names the missing table, or every missing column. A probe that
    /// fails with a connection or timeout SQLSTATE (08xxx, HYT00/HYT01) is rethrown as it is.
    public func checkTable(_ table: String, columns: [String]) throws(ODBCError) {
        do throws(ODBCError) {
            try checkTableUnscrubbed(table, columns: columns)
        } catch {
            throw scrubbed(error)
        }
    }

    private func checkTableUnscrubbed(_ table: String, columns: [String]) throws(ODBCError) {
        let combined: ODBCError
        do throws(ODBCError) {
            try probe(table, columns)
            return
        } catch {
            combined = error
        }
        do throws(ODBCError) {
            try probe(table, [])
        } catch {
            if Self.isConnectionFailure(error) { throw error }
            throw ODBCError(.tableMissing, sqlState: error.sqlState,
                            "table \(table) is not in \(redactedConnectionString) (\(error.message)); "
                            + "check the table name and that the DSN points at the right company")
        }
        var missing: [String] = []
        var first: ODBCError?
        for column in columns {
            do throws(ODBCError) {
                try probe(table, [column])
            } catch {
                if Self.isConnectionFailure(error) { throw error }
                missing.append(column)
                first = first ?? error
            }
        }
        // Each column alone reads fine: the combined probe failed for another reason, which stands.
        guard let first else { throw combined }
        throw ODBCError(.columnMissing, sqlState: first.sqlState,
                        "table \(table) has no column\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")) "
                        + "(\(first.message)); check the column names against this Sage version's ODBC data dictionary")
    }

    /// What the driver reports for each result column of `sql`: name, SQL type (e.g. 4 INTEGER, 12 VARCHAR), scale.
    func describe(_ sql: String) throws(ODBCError) -> [(name: String, type: Int16, scale: Int16)] {
        let statement = try open(sql, [])
        defer { statement.close() }
        return statement.columns
    }

    /// `identifier` in double quotes, embedded quotes doubled (ANSI SQL).
    public static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingAll("\"", with: "\"\"") + "\""
    }

    private func probe(_ table: String, _ columns: [String]) throws(ODBCError) {
        // Qualified names: SQLite would read an unknown bare "name" as a string literal, not an error.
        let list = columns.isEmpty ? "*" : columns.map { Self.quoted(table) + "." + Self.quoted($0) }.joined(separator: ", ")
        let statement = try open("SELECT \(list) FROM \(Self.quoted(table)) WHERE 1=0", [], plain: true)
        statement.close()
    }

    /// A statement executing `sql`; errors are mapped by `statementError`, or when `plain` only coded,
    /// keeping the driver's message as it is.
    private func open(_ sql: String, _ parameters: [ODBCValue], plain: Bool = false) throws(ODBCError) -> ODBCStatement {
        guard let connection else {
            throw ODBCError(.queryFailed, "the ODBC connection \(redactedConnectionString) is closed")
        }
        return try ODBCStatement(manager: manager, connection: connection, sql: sql, parameters: parameters) {
            [secrets] state, message in
            var error = plain ? ODBCError(Self.classify(state: state, message: message), sqlState: state, message)
                : Self.statementError(state: state, message: message, sql: sql)
            error.message = ODBCError.scrubbed(error.message, secrets: secrets)
            return error
        }
    }

    /// Whether a probe failed because the link to the database did, not because of what it asked for.
    private static func isConnectionFailure(_ error: ODBCError) -> Bool {
        guard let state = error.sqlState else { return false }
        return state.hasPrefix("08") || state.hasPrefix("HYT")
    }

    /// `error` with this connection's passwords replaced by `***` wherever they appear.
    private func scrubbed(_ error: ODBCError) -> ODBCError {
        var error = error
        error.message = ODBCError.scrubbed(error.message, secrets: secrets)
        return error
    }

    /// tableMissing or columnMissing by SQLSTATE, or by SQLite's wording when its driver gives a generic
    /// state (HY000); otherwise queryFailed.
    static func classify(state: String?, message: String) -> ODBCError.Code {
        let lower = message.lowercased()
        if state == "42S02" || state == "42P01" || lower.contains("no such table") { return .tableMissing }
        if state == "42S22" || state == "42703" || lower.contains("no such column") { return .columnMissing }
        return .queryFailed
    }

    /// A statement's diagnostics as an error that names the missing table or column when the driver says
    /// which, and the statement.
    static func statementError(state: String?, message: String, sql: String) -> ODBCError {
        switch classify(state: state, message: message) {
        case .tableMissing:
            let name = Self.name(after: "no such table:", in: message)
            return ODBCError(.tableMissing, sqlState: state,
                             "\(name.map { "table \($0)" } ?? "a table the query reads") does not exist (\(message)) in: \(excerpt(sql)); "
                             + "check the table name and that the DSN points at the right company")
        case .columnMissing:
            let name = Self.name(after: "no such column:", in: message)
            return ODBCError(.columnMissing, sqlState: state,
                             "\(name.map { "column \($0)" } ?? "a column the query reads") does not exist (\(message)) in: \(excerpt(sql)); "
                             + "check the column name against this Sage version's ODBC data dictionary")
        default:
            return ODBCError(.queryFailed, sqlState: state, "query failed: \(message) in: \(excerpt(sql))")
        }
    }

    /// The word after `marker` in a driver message, e.g. `JCT_X` in `no such table: JCT_X (1)`.
    static func name(after marker: String, in message: String) -> String? {
        guard let range = message.firstRange(of: marker) else { return nil }
        let rest = message[range.upperBound...].drop { $0 == " " }
        let word = rest.prefix { $0 != " " && $0 != ";" && $0 != "(" && $0 != ")" }
        return word.isEmpty ? nil : String(word)
    }

    static func excerpt(_ sql: String) -> String {
        sql.count <= 300 ? sql : String(sql.prefix(300)) + "..."
    }
}
