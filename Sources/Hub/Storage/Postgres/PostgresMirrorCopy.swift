import NIOCore
import PostgresNIO

/// A chunk of new mirror rows as one binary `COPY mirror_row FROM STDIN`.
///
/// COPY stores a page's worth of rows per heap call and WAL record, where `INSERT ... SELECT unnest(...)` writes one
/// record per row and first reads three arrays: in paired Deep runs PostgreSQL spent about a tenth less CPU.
enum MirrorRowCopy {
    /// postgres-nio 1.33 offers `copyFrom` in text format only (its binary path is internal; text COPY measured no
    /// faster than the arrays), and inserts `table` into `COPY "<table>" FROM STDIN WITH (FORMAT text)` as passed, as
    /// its documentation warns. So the name closes its quote, names the columns and the binary format, and ends in a
    /// comment that swallows the library's own tail. A constant: nothing from a request goes in.
    static let table = #"mirror_row" (site_id, entity_id, key, column_set, row, date, last_run) FROM STDIN WITH (FORMAT binary) --"#

    /// Runs the COPY on `db`'s connection, inside its transaction; a key already stored fails it with SQLSTATE 23505.
    static func run(_ rows: MirrorRowStatements.Rows, _ db: PostgresDB) async throws {
        let payload = payload(rows)
        try await db.connection.copyFrom(table: table, logger: db.logger) { try await $0.write(payload) }
    }

    /// PostgreSQL's binary COPY format: a signature, flags and header-extension length; per row a field count and each
    /// field as a length and its bytes (-1 for NULL); a -1 trailer. The keys, rows and dates are the array parameters'
    /// elements, which are already length and bytes.
    static func payload(_ rows: MirrorRowStatements.Rows) -> ByteBuffer {
        let chunk = rows.chunk
        let run = Array(rows.run.utf8)
        let perRow = 2 + (4 + 8) + (4 + 4) + (4 + 8) + (4 + run.count)
        let size = signature.count + 8 + chunk.keys.count * perRow
            + chunk.keys.elements.readableBytes + chunk.rows.elements.readableBytes + chunk.dates.elements.readableBytes + 2
        var out = ByteBufferAllocator().buffer(capacity: size)
        out.writeBytes(signature)
        out.writeInteger(Int32(0))
        out.writeInteger(Int32(0))
        chunk.keys.elements.withUnsafeReadableBytes { keys in
            chunk.rows.elements.withUnsafeReadableBytes { values in
                chunk.dates.elements.withUnsafeReadableBytes { dates in
                    _ = out.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { buffer in
                        var writer = Writer(base: buffer.baseAddress!)
                        var key = 0, value = 0, date = 0
                        for _ in 0..<chunk.keys.count {
                            writer.put(Int16(7))
                            writer.put(Int32(8)); writer.put(rows.site)
                            writer.put(Int32(4)); writer.put(rows.entity)
                            writer.element(keys, at: &key)
                            writer.put(Int32(8)); writer.put(rows.columnSet)
                            writer.element(values, at: &value)
                            writer.element(dates, at: &date)
                            writer.put(Int32(run.count)); writer.bytes(run)
                        }
                        writer.put(Int16(-1))
                        return writer.offset
                    }
                }
            }
        }
        return out
    }

    static let signature: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00]

    /// Big-endian writes into a buffer sized beforehand.
    private struct Writer {
        let base: UnsafeMutableRawPointer
        var offset = 0

        mutating func put<T: FixedWidthInteger>(_ value: T) {
            base.storeBytes(of: value.bigEndian, toByteOffset: offset, as: T.self)
            offset += MemoryLayout<T>.size
        }

        mutating func bytes(_ bytes: [UInt8]) {
            bytes.withUnsafeBytes { base.advanced(by: offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            offset += bytes.count
        }

        /// Copies one length-prefixed element (length -1: NULL, no bytes) from `source` at `at`, moving `at` past it.
        mutating func element(_ source: UnsafeRawBufferPointer, at: inout Int) {
            let length = Int32(bigEndian: source.loadUnaligned(fromByteOffset: at, as: Int32.self))
            let total = 4 + max(0, Int(length))
            base.advanced(by: offset).copyMemory(from: source.baseAddress! + at, byteCount: total)
            offset += total
            at += total
        }
    }
}
