import Foundation
import SageModel
import SageODBC
import SyncCore
import TielineCore

/// How a Local Connection reaches a company through ODBC. The password is never saved: it is read
/// from an environment variable when the agent connects.
public struct ODBCSettings: Sendable, Hashable, Codable {
    /// The connection string without a password, e.g. `DSN=Sage 300 CRE;UID=tieline;StandardMode=1`.
    public var connectionString: String
    /// The environment variable holding the password (`PWD=`), if the DSN needs one.
    public var passwordVariable: String?

    public init(connectionString: String, passwordVariable: String? = nil) {
        self.connectionString = connectionString
        self.passwordVariable = passwordVariable
    }

    /// The string handed to the driver manager, with the password from the environment.
    func resolved(environment: [String: String] = ProcessInfo.processInfo.environment) throws(TielineError) -> String {
        guard let variable = passwordVariable else { return connectionString }
        guard let password = environment[variable], !password.isEmpty else {
            throw TielineError(.odbcProblem, "the ODBC password is read from the environment variable \(variable), which is not set for this process; "
                + "set it in the agent service's environment (never in agent.json)")
        }
        // ODBC's rule: a value with ; or } is wrapped in braces, closing braces doubled.
        let value = password.contains(where: { ";{}".contains($0) }) ? "{" + password.replacingOccurrences(of: "}", with: "}}") + "}" : password
        return connectionString.hasSuffix(";") || connectionString.isEmpty ? "\(connectionString)PWD=\(value)" : "\(connectionString);PWD=\(value)"
    }

    /// The connection string for messages (a password typed into it by mistake is masked).
    public var redacted: String { ODBCError.redacted(connectionString) }
}

/// A Sage company read through the system's ODBC driver manager, with explicit column lists.
///
/// Read only: nothing here writes. Changes are found by `Row_Version` (every table of a Sage SQL
/// replica carries one); the source has no record of deletions, so a deleted row leaves the hub's
/// mirror at the next Deep sync (README, "Reading Sage through ODBC").
public final class ODBCSageSource: SageSource, @unchecked Sendable {
    public let location: String
    private let connection: ODBCConnection
    // ODBC handles are used by one thread at a time; reads and the read-ahead take turns here.
    private let lock = NSLock()

    public init(connection name: String, settings: ODBCSettings) throws(TielineError) {
        location = "ODBC \(settings.redacted)"
        let resolved = try settings.resolved()
        do throws(ODBCError) {
            connection = try ODBCConnection(connectionString: resolved)
        } catch {
            throw TielineError(.odbcProblem, "Local Connection '\(name)': \(error.message)")
        }
    }

    /// Runs `body` on the connection, alone; ODBC failures become coded errors naming the fix.
    func with<T>(_ body: (ODBCConnection) throws -> T) throws(TielineError) -> T {
        lock.lock()
        defer { lock.unlock() }
        do {
            return try body(connection)
        } catch let error as ODBCError {
            throw TielineError(.odbcProblem, error.message)
        } catch let error as TielineError {
            throw error
        } catch {
            throw TielineError(.odbcProblem, "\(error)")
        }
    }

    /// A Sage company keeps no record of deleted rows: the sync engine scans keys to find them.
    public var recordsDeletions: Bool { false }

    /// Owns PJ when the PJ tables answer (probed with a WHERE 1=0 read: listing tables can hang the Timberline driver).
    public func ownsPJ() throws(TielineError) -> Bool {
        guard let table = EntityCatalog.all.first(where: { $0.requiresModule == .pj })?.table else { return false }
        return try with { odbc in
            do {
                try odbc.checkTable(table.name, columns: table.key)
                return true
            } catch let error as ODBCError where error.code == .tableMissing {
                return false
            }
        }
    }

    /// Proves the source is a Sage company: its job table answers with the columns Tieline reads.
    public func checkCompany() throws(TielineError) {
        let job = SageSchema.job
        try with { odbc in
            do {
                try odbc.checkTable(job.name, columns: job.key + [SageSchema.rowVersion])
            } catch let error as ODBCError where error.code == .tableMissing {
                throw TielineError(.odbcProblem, "\(location) answers but has no \(job.name): it is not a Sage 300 CRE company "
                    + "(with the Timberline driver, set StandardMode=1 so tables have their JCM_MASTER__JOB-style names)")
            }
        }
    }

    /// Rows per entity, or what is wrong with the entity's table or columns.
    func count(_ entity: SyncEntity, columns: [String]) -> Result<Int, TielineError> {
        Result { () throws(TielineError) in
            try with { odbc in
                try odbc.checkTable(entity.table.name, columns: columns + [SageSchema.rowVersion])
                let condition = entity.filter.map { " WHERE \($0)" } ?? ""
                guard case .integer(let n)? = try odbc.scalar("SELECT COUNT(*) FROM \(ODBCConnection.quoted(entity.table.name))\(condition)") else { return 0 }
                return Int(n)
            }
        }
    }

    public func currentRowVersion() throws(TielineError) -> Int64 {
        let tables = Set(EntityCatalog.all.map(\.table.name)).sorted()
        return try with { odbc in
            var highest: Int64 = 0
            for table in tables {
                // A PJ table missing from a company without PJ holds no versions.
                guard (try? odbc.checkTable(table, columns: [SageSchema.rowVersion])) != nil else { continue }
                if case .integer(let version)? = try odbc.scalar("SELECT MAX(\(ODBCConnection.quoted(SageSchema.rowVersion))) FROM \(ODBCConnection.quoted(table))") {
                    highest = max(highest, version)
                }
            }
            return highest
        }
    }

    public func reader(for entity: SyncEntity, columns: [String], startDate: CalendarDate?) throws(TielineError) -> any SageEntityReader {
        try with { odbc in try odbc.checkTable(entity.table.name, columns: columns + [SageSchema.rowVersion]) }
        return try ODBCEntityReader(source: self, entity: entity, columns: columns, startDate: startDate)
    }
}

/// One entity read through ODBC in Row_Version order; a chunk stops fetching at its limit
/// (no LIMIT clause: the Timberline driver's SQL has none).
struct ODBCEntityReader: SageEntityReader {
    let source: ODBCSageSource
    let entity: SyncEntity
    let columns: [String]
    let startDate: CalendarDate?
    private let keyIndexes: [Int]
    /// Money columns: Sage keeps dollars as decimals, the wire carries cents.
    private let moneyIndexes: Set<Int>

    init(source: ODBCSageSource, entity: SyncEntity, columns: [String], startDate: CalendarDate?) throws(TielineError) {
        self.source = source
        self.entity = entity
        self.columns = columns
        self.startDate = startDate
        var indexes: [Int] = []
        for key in entity.table.key {
            guard let index = columns.firstIndex(of: key) else {
                throw TielineError(.invalidInput, "\(entity.name): key column \(key) is not among the columns read")
            }
            indexes.append(index)
        }
        keyIndexes = indexes
        moneyIndexes = Set(columns.indices.filter { entity.table.column(columns[$0])?.kind == .money })
    }

    private func q(_ name: String) -> String { ODBCConnection.quoted(name) }

    /// The entity's condition (filter and timeframe cut), or nil when every row is in scope.
    private var scope: (sql: String, parameters: [ODBCValue])? {
        var parts: [String] = []
        var parameters: [ODBCValue] = []
        if let filter = entity.filter { parts.append("(\(filter))") }
        if let column = entity.dateColumn, let startDate {
            parts.append("\(q(column)) >= ?")
            parameters.append(.text(startDate.description))
        }
        return parts.isEmpty ? nil : (parts.joined(separator: " AND "), parameters)
    }

    private func conditions(after position: Int64, cap: Int64?, mode: EntityReader.Mode) -> (sql: String, parameters: [ODBCValue]) {
        var parts = ["\(q(SageSchema.rowVersion)) > ?"]
        var parameters: [ODBCValue] = [.integer(position)]
        if let cap {
            parts.append("\(q(SageSchema.rowVersion)) <= ?")
            parameters.append(.integer(cap))
        }
        if mode != .changes, let scope {
            parts.append(scope.sql)
            parameters += scope.parameters
        }
        return (parts.joined(separator: " AND "), parameters)
    }

    func read(after position: Int64, bound: EntityReader.Bound, mode: EntityReader.Mode) throws(TielineError) -> EntityReader.Chunk {
        let (limit, cap): (Int?, Int64?) = switch bound {
        case .limit(let n, let cap): (n, cap)
        case .exact(let through): (nil, through)
        }
        var select = columns.map(q) + [q(SageSchema.rowVersion)]
        var parameters: [ODBCValue] = []
        let scoped = mode == .changes ? scope : nil
        if let scoped {
            // A changed row that left the filter or timeframe must leave the mirror too.
            select.append("CASE WHEN \(scoped.sql) THEN 1 ELSE 0 END")
            parameters += scoped.parameters
        }
        let condition = conditions(after: position, cap: cap, mode: mode)
        parameters += condition.parameters
        let sql = "SELECT \(select.joined(separator: ", ")) FROM \(q(entity.table.name)) WHERE \(condition.sql) ORDER BY \(q(SageSchema.rowVersion))"
        var chunk = EntityReader.Chunk(through: position, exhausted: true)
        var count = 0
        struct Enough: Error {}
        let width = columns.count
        try source.with { odbc in
            do {
                try odbc.query(sql, parameters: parameters, columns: select.count) { row in
                    guard case .integer(let version) = row[width] else {
                        throw TielineError(.odbcProblem, "\(entity.table.name).Row_Version is not an integer")
                    }
                    var values: [SyncValue] = []
                    values.reserveCapacity(width)
                    for index in 0..<width { values.append(try value(row[index], money: moneyIndexes.contains(index), column: columns[index])) }
                    let inScope = scoped == nil || row[width + 1] == .integer(1)
                    if inScope { chunk.upserts.append(values) } else { chunk.deletes.append(keyIndexes.map { values[$0] }) }
                    chunk.through = version
                    count += 1
                    if let limit, count == limit { throw Enough() }
                }
            } catch is Enough {
                chunk.exhausted = false
                return
            }
        }
        if case .exact(let through) = bound { chunk.through = through } else if chunk.exhausted { chunk.through = cap ?? chunk.through }
        return chunk
    }

    func estimate(after position: Int64, cap: Int64?, mode: EntityReader.Mode) throws(TielineError) -> Int {
        let condition = conditions(after: position, cap: cap, mode: mode)
        return try source.with { odbc in
            if case .integer(let n)? = try odbc.scalar("SELECT COUNT(*) FROM \(q(entity.table.name)) WHERE \(condition.sql)", parameters: condition.parameters) {
                return Int(n)
            }
            return 0
        }
    }

    func scanKeys(chunk: Int, _ each: ([[SyncValue]]) throws(TielineError) -> Void) throws(TielineError) {
        let key = entity.table.key
        let sql = "SELECT \(key.map(q).joined(separator: ", ")) FROM \(q(entity.table.name))"
        let keyMoney = Set(key.indices.filter { entity.table.column(key[$0])?.kind == .money })
        var keys: [[SyncValue]] = []
        try source.with { odbc in
            try odbc.query(sql, columns: key.count) { row in
                keys.append(try row.indices.map { try value(row[$0], money: keyMoney.contains($0), column: key[$0]) })
                if keys.count == chunk { try each(keys); keys.removeAll(keepingCapacity: true) }
            }
        }
        if !keys.isEmpty { try each(keys) }
    }

    /// A value as the wire carries it: money as integer cents, the rest as read.
    private func value(_ value: ODBCValue, money: Bool, column: String) throws -> SyncValue {
        switch value {
        case .null: return .null
        case .integer(let n): return .integer(n)
        case .text(let text):
            guard money else { return .text(text) }
            return .integer(try Money(parsing: text, field: "\(entity.table.name).\(column)").cents)
        }
    }
}

extension TielineError.Code {
    /// Reading Sage through ODBC failed: no driver manager, driver or DSN, a missing table or column.
    public static let odbcProblem = Self("odbc_problem")
}
