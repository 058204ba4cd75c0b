import Foundation
import GRDB
import GRDBSQLite
import SyncCore
import TielineCore

/// The hot loop of a batch: one prepared upsert per row, bound through SQLite's C API.
///
/// Per-batch values (site, entity, column set, run) are bound once — SQLite keeps
/// bindings across resets — so each row binds only its key, its bytes as received and its date,
/// all borrowed from the request body: no value is decoded, copied or encoded again.
struct MirrorUpsert {
    let statement: Statement
    let db: Database

    init(_ statement: Statement, _ db: Database) {
        self.statement = statement
        self.db = db
    }

    /// SQLite copies what it is given (the C API's SQLITE_TRANSIENT): per-batch values outlive their Swift buffers.
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    /// SQLite uses the caller's buffer as is (SQLITE_STATIC): safe for per-row values, which stay
    /// alive until the statement has stepped and been reset.
    static let borrowed = unsafeBitCast(0, to: sqlite3_destructor_type.self)

    /// Stores every upsert of a scanned batch as the bytes it came in, checking each row's width and key
    /// on the way (a failure throws and the caller's transaction undoes the rows before it).
    /// Returns the job / cost code / category combinations the rows prove exist.
    func apply(_ scan: SyncBatchScan, _ raw: UnsafeRawBufferPointer, layout: BatchLayout, siteID: Int64, columnSet: Int64,
               run: String) throws -> Set<CostCodeIndex.Entry> {
        let stmt = statement.sqliteStatement
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
        // No binding outlives this call, not even on a throw: the statement is cached and reused.
        defer { sqlite3_clear_bindings(stmt) }
        try check(sqlite3_bind_int64(stmt, 1, siteID))
        try bind(scan.entity, 2)
        try check(sqlite3_bind_int64(stmt, 4, columnSet))
        try bind(run, 7)
        var costCodes = CostCodeIndex.Collector(columns: scan.columns)
        var values: [SyncWireValue] = []
        values.reserveCapacity(layout.width)
        var key: [UInt8] = []
        key.reserveCapacity(64)
        var date: [UInt8] = []
        // Only the columns the apply reads are parsed: a JC row's key, cost coding and date lie in its first 9 of 33.
        let needed = ([layout.dateIndex, costCodes.job, costCodes.costCode, costCodes.category].compactMap { $0 } + layout.keyIndexes)
            .max().map { $0 + 1 } ?? 0
        for (n, range) in scan.upserts.enumerated() {
            let width = SyncWire.rowValues(raw, range, into: &values, limit: needed)
            guard width == layout.width else { throw BatchLayout.wrongWidth(n, width, layout.width) }
            key.removeAll(keepingCapacity: true)
            for (j, i) in layout.keyIndexes.enumerated() {
                if j > 0 { key.append(0x1F) }
                switch values[i] {
                case .null: throw BatchLayout.nullKey(n, scan.columns[i])
                case .integer(let number): Self.appendDecimal(number, to: &key)
                case .text(let text): MirrorKey.appendEscaped(text, to: &key)
                }
            }
            // The date as text (borrowed), as a number's digits (in `date`), or none.
            var dateText: UnsafeRawBufferPointer?
            var dateIsNumber = false
            if let dateIndex = layout.dateIndex {
                switch values[dateIndex] {
                case .null: break
                case .text(let text): dateText = text
                case .integer(let number):
                    date.removeAll(keepingCapacity: true)
                    Self.appendDecimal(number, to: &date)
                    dateIsNumber = true
                }
            }
            costCodes.add(values)
            let row = UnsafeRawBufferPointer(rebasing: raw[range])
            let step = try key.withUnsafeBytes { keyBytes in
                try date.withUnsafeBytes { dateBytes in
                    try bindText(keyBytes, 3)
                    try check(sqlite3_bind_blob(stmt, 5, row.baseAddress, Int32(row.count), Self.borrowed))
                    if let dateText {
                        try bindText(dateText, 6)
                    } else if dateIsNumber {
                        try bindText(dateBytes, 6)
                    } else {
                        try check(sqlite3_bind_null(stmt, 6))
                    }
                    return stepAndReset(stmt)
                }
            }
            guard step == SQLITE_DONE else { throw failure(step) }
        }
        return costCodes.entries
    }

    /// Appends a number's decimal digits, as `String(number)` spells it.
    static func appendDecimal(_ number: Int64, to bytes: inout [UInt8]) {
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }

    /// Steps and resets while the borrowed buffers are still alive, so SQLite never reads them afterwards.
    func stepAndReset(_ stmt: OpaquePointer?) -> Int32 {
        let code = sqlite3_step(stmt)
        sqlite3_reset(stmt)
        return code
    }

    func bind(_ text: String, _ index: Int32) throws {
        var text = text
        try text.withUTF8 { utf8 in
            // An empty buffer may have no address; SQLite would read that as NULL, not ''.
            if utf8.isEmpty {
                try check(sqlite3_bind_text(statement.sqliteStatement, index, "", 0, Self.transient))
            } else {
                try check(sqlite3_bind_text(statement.sqliteStatement, index, utf8.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                                            Int32(utf8.count), Self.transient))
            }
        }
    }

    /// Binds UTF-8 bytes the caller keeps alive until the step is done.
    func bindText(_ utf8: UnsafeRawBufferPointer, _ index: Int32) throws {
        guard let base = utf8.baseAddress, !utf8.isEmpty else {
            try check(sqlite3_bind_text(statement.sqliteStatement, index, "", 0, Self.transient))
            return
        }
        try check(sqlite3_bind_text(statement.sqliteStatement, index, base.assumingMemoryBound(to: CChar.self),
                                    Int32(utf8.count), Self.borrowed))
    }

    func check(_ code: Int32) throws {
        guard code == SQLITE_OK else { throw failure(code) }
    }

    func failure(_ code: Int32) -> TielineError {
        let message = db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) } ?? "code \(code)"
        return TielineError(.storageFailure, "storing mirror rows failed: \(message)")
    }
}
