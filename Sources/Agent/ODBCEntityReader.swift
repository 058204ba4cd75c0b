import Foundation
import SageModel
import SageODBC
import SyncCore
import TielineCore

/// One entity read through ODBC in change-marker order; a chunk stops fetching at its limit (no
/// LIMIT clause: the Timberline driver's SQL has none).
///
/// The marker is `Row_Version` where the table has one. Without it, the Date_Stamp / Time_Stamp
/// pair Sage keeps on transactions stands in, encoded as `yyyymmddHHMMSS`: rows of one second are
/// never split between chunks, and the second last read is read again next time (a row committed
/// later within that second would otherwise be missed; upserts are idempotent). Rows without a
/// stamp sort first and are read only from position 0 (a Deep sync, a first load).
struct ODBCEntityReader: SageEntityReader {
    enum Marker: Sendable { case rowVersion, stamps }
    static let stampColumns = ["Date_Stamp", "Time_Stamp"]

    let source: ODBCSageSource
    let entity: SyncEntity
    let columns: [String]
    let startDate: CalendarDate?
    let marker: Marker
    private let keyIndexes: [Int]
    /// Money columns: Sage keeps dollars as decimals, the wire carries cents.
    private let moneyIndexes: Set<Int>

    init(source: ODBCSageSource, entity: SyncEntity, columns: [String], startDate: CalendarDate?, marker: Marker) throws(TielineError) {
        self.source = source
        self.entity = entity
        self.columns = columns
        self.startDate = startDate
        self.marker = marker
        keyIndexes = try entity.keyIndexes(in: columns)
        moneyIndexes = Set(columns.indices.filter { entity.table.column(columns[$0])?.kind == .money })
    }

    var ownsMarkers: Bool { marker == .stamps }

    private func q(_ name: String) -> String { ODBCConnection.quoted(name) }

    /// The marker's columns, appended to every select.
    private var markerColumns: [String] { marker == .rowVersion ? [SageSchema.rowVersion] : Self.stampColumns }

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

    /// Rows after `position` (stamps: from its second on) up to `cap`, in scope unless `mode` reads changes.
    private func conditions(after position: Int64, cap: Int64?, mode: EntityReader.Mode) -> (sql: String, parameters: [ODBCValue]) {
        var parts: [String] = []
        var parameters: [ODBCValue] = []
        switch marker {
        case .rowVersion:
            parts.append("\(q(SageSchema.rowVersion)) > ?")
            parameters.append(.integer(position))
            if let cap {
                parts.append("\(q(SageSchema.rowVersion)) <= ?")
                parameters.append(.integer(cap))
            }
        case .stamps:
            let (d, t) = (q("Date_Stamp"), q("Time_Stamp"))
            if position > 0 {
                let (date, time) = Self.stamp(position)
                parts.append("(\(d) > ? OR (\(d) = ? AND \(t) >= ?))")
                parameters += [.text(date), .text(date), .text(time)]
            }
            if let cap {
                let (date, time) = Self.stamp(cap)
                parts.append("(\(d) IS NULL OR \(d) < ? OR (\(d) = ? AND (\(t) IS NULL OR \(t) <= ?)))")
                parameters += [.text(date), .text(date), .text(time)]
            }
        }
        if mode != .changes, let scope {
            parts.append(scope.sql)
            parameters += scope.parameters
        }
        return (parts.isEmpty ? "1=1" : parts.joined(separator: " AND "), parameters)
    }

    func read(after position: Int64, bound: EntityReader.Bound, mode: EntityReader.Mode) throws(TielineError) -> EntityReader.Chunk {
        let (limit, cap): (Int?, Int64?) = switch bound {
        case .limit(let n, let cap): (n, marker == .stamps ? nil : cap)
        case .exact(let through): (nil, through)
        }
        var select = columns.map(q) + markerColumns.map(q)
        var parameters: [ODBCValue] = []
        let scoped = mode == .changes ? scope : nil
        if let scoped {
            // A changed row that left the filter or timeframe must leave the mirror too.
            select.append("CASE WHEN \(scoped.sql) THEN 1 ELSE 0 END")
            parameters += scoped.parameters
        }
        let condition = conditions(after: position, cap: cap, mode: mode)
        parameters += condition.parameters
        let sql = "SELECT \(select.joined(separator: ", ")) FROM \(q(entity.table.name)) WHERE \(condition.sql) ORDER BY "
            + markerColumns.map(q).joined(separator: ", ")
        var chunk = EntityReader.Chunk(through: position, exhausted: true)
        var count = 0
        struct Enough: Error {}
        let width = columns.count
        let flag = width + markerColumns.count
        try source.with { odbc in
            do {
                try odbc.query(sql, parameters: parameters, columns: select.count) { row in
                    let rowMarker = try markerValue(row, at: width)
                    // A full chunk ends where the marker changes (one second's rows stay together), past `position`.
                    if let limit, count >= limit, rowMarker != chunk.through, chunk.through > position || marker == .rowVersion { throw Enough() }
                    var values: [SyncValue] = []
                    values.reserveCapacity(width)
                    for index in 0..<width { values.append(try value(row[index], money: moneyIndexes.contains(index), column: columns[index])) }
                    let inScope = scoped == nil || row[flag] == .integer(1)
                    if inScope { chunk.upserts.append(values) } else { chunk.deletes.append(keyIndexes.map { values[$0] }) }
                    chunk.through = max(chunk.through, rowMarker)
                    count += 1
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
        let condition = conditions(after: position, cap: marker == .stamps ? nil : cap, mode: mode)
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

    /// The row's change marker: its Row_Version, or its stamps as `yyyymmddHHMMSS` (0 without a stamp).
    private func markerValue(_ row: [ODBCValue], at index: Int) throws -> Int64 {
        switch marker {
        case .rowVersion:
            guard case .integer(let version) = row[index] else {
                throw TielineError(.odbcProblem, "\(entity.table.name).Row_Version is not an integer")
            }
            return version
        case .stamps:
            return Self.marker(date: row[index].textValue, time: row[index + 1].textValue)
        }
    }

    /// `2024-09-20` and `14:03:07` as 20240920140307; digits only, so `2024-09-20 00:00:00.000` reads the same.
    static func marker(date: String?, time: String?) -> Int64 {
        guard let date else { return 0 }
        let day = date.filter(\.isNumber).prefix(8)
        let clock = (time ?? "").filter(\.isNumber).prefix(6)
        guard day.count == 8 else { return 0 }
        return (Int64(day) ?? 0) * 1_000_000 + (Int64(clock.padding(toLength: 6, withPad: "0", startingAt: 0)) ?? 0)
    }

    /// A marker back as Sage's date and time texts.
    static func stamp(_ marker: Int64) -> (date: String, time: String) {
        let day = marker / 1_000_000, clock = marker % 1_000_000
        let date = String(format: "%04lld-%02lld-%02lld", day / 10_000, day / 100 % 100, day % 100)
        let time = String(format: "%02lld:%02lld:%02lld", clock / 10_000, clock / 100 % 100, clock % 100)
        return (date, time)
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
