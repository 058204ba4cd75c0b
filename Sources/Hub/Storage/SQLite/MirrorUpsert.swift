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

    /// SQLite copies what it is given (the C API's SQLITE_TRANSIENT): per-batch values outlive their Swift buffers.
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    /// SQLite uses the caller's buffer as is (SQLITE_STATIC): safe for per-row values, which stay
    /// alive until the statement has stepped and been reset.
    static let borrowed = unsafeBitCast(0, to: sqlite3_destructor_type.self)

    func apply(_ batch: SyncBatch, layout: BatchLayout, siteID: Int64, columnSet: Int64, stamp: String) throws {
        let stmt = statement.sqliteStatement
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
        // No binding outlives this call, not even on a throw: the statement is cached and reused.
        defer { sqlite3_clear_bindings(stmt) }
        try check(sqlite3_bind_int64(stmt, 1, siteID))
        try bind(batch.entity, 2)
        try check(sqlite3_bind_int64(stmt, 4, columnSet))
        try bind(batch.runID, 7)
        try bind(stamp, 8)
        for row in batch.upserts {
            var key = layout.key(of: row)
            let blob = SyncWire.encodeValues(row)
            var date = layout.dateIndex.flatMap { MirrorKey.text(row[$0]) }
            let step = try key.withUTF8 { keyBytes in
                try blob.withUnsafeBytes { blobBytes in
                    try bindText(keyBytes, 3)
                    try check(sqlite3_bind_blob(stmt, 5, blobBytes.baseAddress, Int32(blobBytes.count), Self.borrowed))
                    if date == nil { try check(sqlite3_bind_null(stmt, 6)) }
                    return try date?.withUTF8 { dateBytes in
                        try bindText(dateBytes, 6)
                        return stepAndReset(stmt)
                    } ?? stepAndReset(stmt)
                }
            }
            guard step == SQLITE_DONE else { throw failure(step) }
        }
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
    func bindText(_ utf8: UnsafeBufferPointer<UInt8>, _ index: Int32) throws {
        guard let base = utf8.baseAddress, !utf8.isEmpty else {
            try check(sqlite3_bind_text(statement.sqliteStatement, index, "", 0, Self.transient))
            return
        }
        try check(sqlite3_bind_text(statement.sqliteStatement, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self),
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
