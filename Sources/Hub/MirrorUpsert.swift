import Foundation
import GRDB
import GRDBSQLite
import SyncCore
import TielineCore

/// The hot loop of a batch: one prepared upsert per row, bound through SQLite's C API.
///
/// Per-batch values (site, entity, column set, run, time) are bound once — SQLite keeps
/// bindings across resets — so each row binds only its key, encoded values and date. This is
/// what keeps apply near SQLite's keyed-upsert ceiling instead of boxing 8 arguments a row.
struct MirrorUpsert {
    let statement: Statement
    let db: Database

    init(_ statement: Statement, _ db: Database) {
        self.statement = statement
        self.db = db
    }

    /// SQLite copies what it is given (the C API's SQLITE_TRANSIENT).
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func apply(_ batch: SyncBatch, layout: BatchLayout, siteID: Int64, columnSet: Int64, stamp: String) throws {
        let stmt = statement.sqliteStatement
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
        try check(sqlite3_bind_int64(stmt, 1, siteID))
        try bind(batch.entity, 2)
        try check(sqlite3_bind_int64(stmt, 4, columnSet))
        try bind(batch.runID, 7)
        try bind(stamp, 8)
        for row in batch.upserts {
            try bind(layout.key(of: row), 3)
            let blob = SyncWire.encodeValues(row)
            try blob.withUnsafeBytes { raw in try check(sqlite3_bind_blob(stmt, 5, raw.baseAddress, Int32(raw.count), Self.transient)) }
            if let index = layout.dateIndex, let date = MirrorKey.text(row[index]) {
                try bind(date, 6)
            } else {
                try check(sqlite3_bind_null(stmt, 6))
            }
            let step = sqlite3_step(stmt)
            sqlite3_reset(stmt)
            guard step == SQLITE_DONE else { throw failure(step) }
        }
        sqlite3_clear_bindings(stmt)
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

    func check(_ code: Int32) throws {
        guard code == SQLITE_OK else { throw failure(code) }
    }

    func failure(_ code: Int32) -> TielineError {
        let message = db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) } ?? "code \(code)"
        return TielineError(.storageFailure, "storing mirror rows failed: \(message)")
    }
}
