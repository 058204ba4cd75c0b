import Foundation
import GRDB
import GRDBSQLite
import SageStore
import SageModel
import SyncCore
import TielineCore

/// Reads one entity's rows from a Sage company in Row_Version order, one bounded chunk at a
/// time, so memory stays flat however large the table is.
public struct EntityReader: SageEntityReader {
    /// How rows outside the entity's filter or timeframe are treated.
    public enum Mode: Sendable, Hashable {
        /// Deep: only rows inside the scope, all of them; the hub removes the rest on completion.
        case deep
        /// First incremental for an entity: the mirror holds none of its out-of-scope rows, so
        /// only in-scope rows are sent (plus tombstones, in case an abandoned run sent a row).
        case initialLoad
        /// Incremental: every changed row; a row that left the scope and a tombstone become deletes.
        case changes
    }

    /// How far one read goes.
    public enum Bound: Sendable, Hashable {
        /// At most `limit` rows (and `limit` tombstones), never past `cap`.
        case limit(Int, cap: Int64?)
        /// Exactly the rows in (position, through]: a batch sent before a crash, rebuilt.
        case exact(through: Int64)
    }

    /// One batch's worth of changes, covering Row_Versions (position, through].
    public struct Chunk: Sendable {
        public var upserts: [[SyncValue]] = []
        /// Upserts already in wire form (a Deep read of the embedded store), in place of `upserts`.
        public var encoded: SyncWire.EncodedRows?
        /// The encoded upserts' key values, one row's after another (the entity's key width each).
        public var encodedKeys: [SyncValue] = []
        public var deletes: [[SyncValue]] = []
        public var through: Int64
        /// Fewer rows than the limit: nothing more to read right now.
        public var exhausted: Bool
        /// Rows upserted, in either form.
        public var upsertCount: Int { encoded?.count ?? upserts.count }
        public var isEmpty: Bool { upsertCount == 0 && deletes.isEmpty }

        /// Each upsert's key values, given the key's positions among the columns.
        public func upsertKeys(_ keyIndexes: [Int]) -> [[SyncValue]] {
            guard encoded != nil else { return upserts.map { row in keyIndexes.map { row[$0] } } }
            let width = keyIndexes.count
            return stride(from: 0, to: encodedKeys.count, by: max(width, 1)).map { Array(encodedKeys[$0 ..< $0 + width]) }
        }
    }

    let company: SageCompany
    let entity: SyncEntity
    /// The mapped columns, in the order rows are sent.
    let columns: [String]
    let startDate: CalendarDate?
    private let keyIndexes: [Int]

    init(company: SageCompany, entity: SyncEntity, columns: [String], startDate: CalendarDate?) throws(TielineError) {
        self.company = company
        self.entity = entity
        self.columns = columns
        self.startDate = startDate
        keyIndexes = try entity.keyIndexes(in: columns)
    }

    /// The entity's SQL condition (filter and timeframe cut), or nil when every row is in scope.
    var scope: (sql: String, arguments: StatementArguments)? {
        var parts: [String] = []
        var arguments: StatementArguments = []
        if let filter = entity.filter { parts.append("(\(filter))") }
        // Reference entities (no date column) are always whole; dated ones are cut at the start date.
        if let column = entity.dateColumn, let startDate {
            parts.append("\(quoted(column)) >= ?")
            arguments += [startDate.description]
        }
        return parts.isEmpty ? nil : (parts.joined(separator: " AND "), arguments)
    }

    /// Reads the next chunk after `position`.
    public func read(after position: Int64, bound: Bound, mode: Mode) throws(TielineError) -> Chunk {
        try company.read { db in
            let (limit, cap): (Int?, Int64?) = switch bound {
            case .limit(let n, let cap): (n, cap)
            case .exact(let through): (nil, through)
            }
            /// How far the live side has been seen: a full read ends at its last row, a short one at the cap.
            func liveThrough(full: Bool, last: Int64?) -> Int64 {
                if case .exact(let t) = bound { return t }
                return full ? last! : cap ?? last ?? position
            }
            if mode == .deep {
                // In scope by the query, no tombstones: every row read is an upsert, written straight into wire form.
                let live = try readEncoded(db, after: position, cap: cap, limit: limit)
                let liveFull = limit.map { live.rows.count == $0 } ?? false
                return Chunk(encoded: live.rows, encodedKeys: live.keys, through: liveThrough(full: liveFull, last: live.last),
                             exhausted: !liveFull)
            }
            let live = try readLive(db, after: position, cap: cap, limit: limit, mode: mode)
            let liveFull = limit.map { live.count == $0 } ?? false
            var through = liveThrough(full: liveFull, last: live.last?.version)
            var tombstones: [(key: [SyncValue], version: Int64)] = []
            var tombstonesFull = false
            if through > position {
                tombstones = try readTombstones(db, after: position, through: through, limit: limit)
                if let limit, tombstones.count == limit {
                    tombstonesFull = true
                    through = min(through, tombstones.last!.version)
                }
            }
            var chunk = Chunk(through: through, exhausted: !liveFull && !tombstonesFull)
            for row in live where row.version <= through {
                if row.inScope {
                    chunk.upserts.append(row.values)
                } else {
                    chunk.deletes.append(keyIndexes.map { row.values[$0] })
                }
            }
            chunk.deletes += tombstones.map(\.key)
            return chunk
        }
    }

    /// Rows a read from `position` will cover, for progress and ETA.
    public func estimate(after position: Int64, cap: Int64?, mode: Mode) throws(TielineError) -> Int {
        try company.read { db in
            var conditions = ["\(quoted(SageSchema.rowVersion)) > ?"]
            var arguments: StatementArguments = [position]
            if let cap {
                conditions.append("\(quoted(SageSchema.rowVersion)) <= ?")
                arguments += [cap]
            }
            var live = conditions, liveArguments = arguments
            if mode != .changes, let scope {
                live.append(scope.sql)
                liveArguments += scope.arguments
            }
            var count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(quoted(entity.table.name)) WHERE \(live.joined(separator: " AND "))",
                                         arguments: liveArguments) ?? 0
            if mode != .deep {
                count += try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM TIELINE_TOMBSTONE WHERE Table_Name = ? AND \(conditions.joined(separator: " AND "))
                    """, arguments: [entity.table.name] + arguments) ?? 0
            }
            return count
        }
    }

    public var ownsMarkers: Bool { false }

    public func scanKeys(chunk: Int, _ each: ([[SyncValue]]) throws(TielineError) -> Void) throws(TielineError) {
        let sql = "SELECT \(entity.table.key.map(quoted).joined(separator: ", ")) FROM \(quoted(entity.table.name))"
        let width = entity.table.key.count
        var keys: [[SyncValue]] = []
        try company.read { db in
            let cursor = try Row.fetchCursor(db, sql: sql)
            while let row = try cursor.next() {
                keys.append((0..<width).map { SyncValue(row[$0] as DatabaseValue) })
                if keys.count == chunk { try each(keys); keys.removeAll(keepingCapacity: true) }
            }
        }
        if !keys.isEmpty { try each(keys) }
    }

    private struct LiveRow {
        var values: [SyncValue]
        var version: Int64
        var inScope: Bool
    }

    /// The query of live rows after `position`: the mapped columns, then Row_Version, then (for `.changes`) whether the row is in scope.
    private func liveQuery(after position: Int64, cap: Int64?, limit: Int?, mode: Mode) -> (sql: String, arguments: StatementArguments, hasScopeFlag: Bool) {
        let version = quoted(SageSchema.rowVersion)
        var select = columns.map(quoted) + [version]
        var arguments: StatementArguments = []
        var conditions = ["\(version) > ?"]
        var whereArguments: StatementArguments = [position]
        if let cap {
            conditions.append("\(version) <= ?")
            whereArguments += [cap]
        }
        if let scope {
            if mode == .changes {
                // A changed row that left the filter or timeframe must leave the mirror too.
                select.append("CASE WHEN \(scope.sql) THEN 1 ELSE 0 END")
                arguments += scope.arguments
            } else {
                conditions.append(scope.sql)
                whereArguments += scope.arguments
            }
        }
        arguments += whereArguments
        let sql = "SELECT \(select.joined(separator: ", ")) FROM \(quoted(entity.table.name)) WHERE "
            + conditions.joined(separator: " AND ") + " ORDER BY \(version)" + (limit.map { " LIMIT \($0)" } ?? "")
        return (sql, arguments, select.count > columns.count + 1)
    }

    /// Live rows in wire form, each as `SyncValue(column:of:)` would read it, with their key values and the last Row_Version.
    private func readEncoded(_ db: Database, after position: Int64, cap: Int64?, limit: Int?) throws
        -> (rows: SyncWire.EncodedRows, keys: [SyncValue], last: Int64?) {
        let (sql, arguments, _) = liveQuery(after: position, cap: cap, limit: limit, mode: .deep)
        let statement = try db.cachedStatement(sql: sql)
        let width = CInt(columns.count)
        var rows = SyncWire.EncodedRows(capacity: 256 * (limit ?? 64))
        var keys: [SyncValue] = []
        keys.reserveCapacity(keyIndexes.count * (limit ?? 64))
        var last: Int64?
        try Self.step(statement, arguments, sql) { handle in
            rows.beginRow(values: Int(width))
            for index in 0..<width {
                Self.appendColumn(index, of: handle, to: &rows)
            }
            for index in keyIndexes {
                keys.append(SyncValue(column: CInt(index), of: handle))
            }
            last = sqlite3_column_int64(handle, width)
        }
        return (rows, keys, last)
    }

    /// Steps a query through SQLite's C API, calling `row` at each row: the hot loop of a Deep sync, about twice
    /// as fast as decoding GRDB rows (measured on 1M JC transactions).
    private static func step(_ statement: Statement, _ arguments: StatementArguments, _ sql: String, _ row: (OpaquePointer) -> Void) throws {
        try statement.setArguments(arguments)
        let handle = statement.sqliteStatement
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errstr(code)), sql: sql)
            }
            row(handle)
        }
    }

    /// Appends a column as `SyncValue(column:of:)` reads it: text goes over as its bytes when they are valid UTF-8.
    static func appendColumn(_ index: CInt, of handle: OpaquePointer, to rows: inout SyncWire.EncodedRows) {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_NULL:
            rows.appendNull()
        case SQLITE_INTEGER:
            rows.appendInteger(sqlite3_column_int64(handle, index))
        case SQLITE_TEXT:
            let text = sqlite3_column_text(handle, index)
            let utf8 = UnsafeRawBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, index)))
            if SyncWire.isUTF8(utf8) {
                rows.appendText(utf8: utf8)
            } else {
                // Not UTF-8: repaired as the String reading repairs it.
                rows.append(SyncValue(column: index, of: handle))
            }
        default:
            rows.append(SyncValue(column: index, of: handle))
        }
    }

    private func readLive(_ db: Database, after position: Int64, cap: Int64?, limit: Int?, mode: Mode) throws -> [LiveRow] {
        let (sql, arguments, hasScopeFlag) = liveQuery(after: position, cap: cap, limit: limit, mode: mode)
        let statement = try db.cachedStatement(sql: sql)
        let width = CInt(columns.count)
        var rows: [LiveRow] = []
        rows.reserveCapacity(limit ?? 256)
        try Self.step(statement, arguments, sql) { handle in
            var values: [SyncValue] = []
            values.reserveCapacity(Int(width))
            for index in 0..<width {
                values.append(SyncValue(column: index, of: handle))
            }
            let inScope = hasScopeFlag ? sqlite3_column_int64(handle, width + 1) == 1 : true
            rows.append(LiveRow(values: values, version: sqlite3_column_int64(handle, width), inScope: inScope))
        }
        return rows
    }

    /// Deleted keys and old keys of key changes, skipping keys that exist again: their current
    /// row is (or will be) sent as an upsert, so a batch never holds a key both ways.
    private func readTombstones(_ db: Database, after position: Int64, through: Int64, limit: Int?) throws -> [(key: [SyncValue], version: Int64)] {
        let table = entity.table
        let keys = table.key.enumerated().map { "json_extract(t.Key_Values, '$[\($0.offset)]')" }
        let match = table.key.enumerated().map { "live.\(quoted($0.element)) = \(keys[$0.offset])" }.joined(separator: " AND ")
        let sql = """
            SELECT \(keys.joined(separator: ", ")), t.Row_Version FROM TIELINE_TOMBSTONE t
            WHERE t.Table_Name = ? AND t.Row_Version > ? AND t.Row_Version <= ?
              AND NOT EXISTS (SELECT 1 FROM \(quoted(table.name)) live WHERE \(match))
            ORDER BY t.Row_Version
            """ + (limit.map { " LIMIT \($0)" } ?? "")
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: [table.name, position, through])
        var out: [(key: [SyncValue], version: Int64)] = []
        while let row = try cursor.next() {
            out.append(((0..<keys.count).map { SyncValue(row[$0] as DatabaseValue) }, row[keys.count]))
        }
        return out
    }

    private func quoted(_ name: String) -> String { "\"\(name)\"" }
}

extension SyncValue {
    /// Column `index` of the current row of a stepped SQLite statement.
    init(column index: CInt, of handle: OpaquePointer) {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_NULL:
            self = .null
        case SQLITE_INTEGER:
            self = .integer(sqlite3_column_int64(handle, index))
        case SQLITE_TEXT:
            let count = Int(sqlite3_column_bytes(handle, index))
            if let bytes = sqlite3_column_text(handle, index) {
                self = .text(String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self))
            } else {
                self = .text("")
            }
        case SQLITE_FLOAT:
            self = SyncValue(real: sqlite3_column_double(handle, index))
        default:
            let count = Int(sqlite3_column_bytes(handle, index))
            let bytes = sqlite3_column_blob(handle, index).map { Data(bytes: $0, count: count) } ?? Data()
            self = .text(bytes.base64EncodedString())
        }
    }

    /// The store keeps money as integer cents; a REAL written by raw SQL is kept exact when whole.
    init(real number: Double) {
        if number.rounded() == number, abs(number) < 9e15 { self = .integer(Int64(number)) } else { self = .text("\(number)") }
    }

    /// Sage values as they travel: integers (money in cents) stay integers, dates and text are text.
    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let number): self = .integer(number)
        case .string(let text): self = .text(text)
        case .double(let number): self = SyncValue(real: number)
        case .blob(let data): self = .text(data.base64EncodedString())
        }
    }
}
