import Foundation
import GRDB
import GRDBSQLite
import SyncCore
import TielineCore

/// The hot loop of a batch: rows go in `chunk` at a time through one prepared multi-row upsert, bound through SQLite's C API.
///
/// Per-batch values (site, entity, column set, run) are bound once — SQLite keeps bindings across resets, and every
/// row of the statement names the same parameters — so each row binds only its key, its bytes as received and its
/// date, borrowed from the request body or from `arena`: no value is decoded, copied or encoded again. One statement
/// per chunk keeps SQLite's write cursor open from row to row, where one per row paid a statement start and a
/// descent from the root each time. Rows within a chunk are upserted in order, so a later duplicate wins as before.
struct MirrorUpsert {
    let db: Database
    /// Rows per statement: 32, 64 and 128 measured alike; one per row cost the hub a seventh more CPU.
    static let chunk = 64

    init(_ db: Database) {
        self.db = db
    }

    /// The upsert of `rows` rows: ?1 site, ?2 entity id, ?3 column set, ?4 run; then key, row and date per row.
    static func sql(rows: Int) -> String {
        let values = (0 ..< rows).map { "(?1, ?2, ?\(5 + 3 * $0), ?3, ?\(6 + 3 * $0), ?\(7 + 3 * $0), ?4)" }
        return """
            INSERT INTO mirror_row (site_id, entity_id, key, column_set, row, date, last_run)
            VALUES \(values.joined(separator: ", "))
            ON CONFLICT (site_id, entity_id, key) DO UPDATE SET column_set = excluded.column_set, row = excluded.row,
                date = excluded.date, last_run = excluded.last_run
            """
    }

    static let chunkSQL = sql(rows: chunk)
    static let rowSQL = sql(rows: 1)

    /// SQLite copies what it is given (the C API's SQLITE_TRANSIENT): per-batch values outlive their Swift buffers.
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    /// SQLite uses the caller's buffer as is (SQLITE_STATIC): safe for per-row values, which stay
    /// alive until the statement has stepped and been reset.
    static let borrowed = unsafeBitCast(0, to: sqlite3_destructor_type.self)

    /// Where a pending row's parts are: its bytes in the body, its key (and a numeric date) in the arena.
    private struct Pending {
        var row: Range<Int>
        var key: Range<Int>
        var date: BatchLayout.DatePlace
    }

    /// Stores every upsert of a scanned batch as the bytes it came in, checking each row's width and key
    /// on the way (a failure throws and the caller's transaction undoes the rows before it).
    /// Returns the job / cost code / category combinations the rows prove exist.
    func apply(_ scan: SyncBatchScan, _ raw: UnsafeRawBufferPointer, layout: BatchLayout, siteID: Int64, entityID: Int64, columnSet: Int64,
               run: String) throws -> ByteKeySet {
        let many = try db.cachedStatement(sql: Self.chunkSQL)
        let one = try db.cachedStatement(sql: Self.rowSQL)
        for statement in [many, one] {
            let stmt = statement.sqliteStatement
            sqlite3_reset(stmt)
            sqlite3_clear_bindings(stmt)
            try check(sqlite3_bind_int64(stmt, 1, siteID))
            try check(sqlite3_bind_int64(stmt, 2, entityID))
            try check(sqlite3_bind_int64(stmt, 3, columnSet))
            try bind(run, 4, stmt)
        }
        // No binding outlives this call, not even on a throw: the statements are cached and reused.
        defer {
            sqlite3_clear_bindings(many.sqliteStatement)
            sqlite3_clear_bindings(one.sqliteStatement)
        }
        var costCodes = CostCodeIndex.Collector(columns: scan.columns)
        var values: [SyncWireValue] = []
        values.reserveCapacity(layout.width)
        var arena: [UInt8] = []
        arena.reserveCapacity(64 * Self.chunk)
        var pending: [Pending] = []
        pending.reserveCapacity(Self.chunk)
        let needed = layout.valuesRead(costCodes)
        for (n, range) in scan.upserts.enumerated() {
            let (key, date) = try layout.read(upsert: n, range, of: scan, raw, limit: needed, values: &values, arena: &arena)
            costCodes.add(values)
            pending.append(Pending(row: range, key: key, date: date))
            if pending.count == Self.chunk {
                try store(pending, many, raw, arena)
                pending.removeAll(keepingCapacity: true)
                arena.removeAll(keepingCapacity: true)
            }
        }
        for row in pending {
            try store([row], one, raw, arena)
        }
        return costCodes.keys
    }

    /// Binds the pending rows (borrowing the body and the arena, which do not move until the step is done) and steps.
    private func store(_ rows: [Pending], _ statement: Statement, _ raw: UnsafeRawBufferPointer, _ arena: [UInt8]) throws {
        let stmt = statement.sqliteStatement
        let step = try arena.withUnsafeBytes { arena in
            for (i, row) in rows.enumerated() {
                let first = Int32(5 + 3 * i)
                try bindText(UnsafeRawBufferPointer(rebasing: arena[row.key]), first, stmt)
                let bytes = UnsafeRawBufferPointer(rebasing: raw[row.row])
                try check(sqlite3_bind_blob(stmt, first + 1, bytes.baseAddress, Int32(bytes.count), Self.borrowed))
                switch row.date {
                case .none: try check(sqlite3_bind_null(stmt, first + 2))
                case .body(let range): try bindText(UnsafeRawBufferPointer(rebasing: raw[range]), first + 2, stmt)
                case .arena(let range): try bindText(UnsafeRawBufferPointer(rebasing: arena[range]), first + 2, stmt)
                }
            }
            return stepAndReset(stmt)
        }
        guard step == SQLITE_DONE else { throw failure(step) }
    }

    /// Steps and resets while the borrowed buffers are still alive, so SQLite never reads them afterwards.
    func stepAndReset(_ stmt: OpaquePointer?) -> Int32 {
        let code = sqlite3_step(stmt)
        sqlite3_reset(stmt)
        return code
    }

    func bind(_ text: String, _ index: Int32, _ stmt: SQLiteStatement) throws {
        var text = text
        try text.withUTF8 { utf8 in
            // An empty buffer may have no address; SQLite would read that as NULL, not ''.
            if utf8.isEmpty {
                try check(sqlite3_bind_text(stmt, index, "", 0, Self.transient))
            } else {
                try check(sqlite3_bind_text(stmt, index, utf8.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                                            Int32(utf8.count), Self.transient))
            }
        }
    }

    /// Binds UTF-8 bytes the caller keeps alive until the step is done.
    func bindText(_ utf8: UnsafeRawBufferPointer, _ index: Int32, _ stmt: SQLiteStatement) throws {
        guard let base = utf8.baseAddress, !utf8.isEmpty else {
            try check(sqlite3_bind_text(stmt, index, "", 0, Self.transient))
            return
        }
        try check(sqlite3_bind_text(stmt, index, base.assumingMemoryBound(to: CChar.self),
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
