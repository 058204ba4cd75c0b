import TielineCore

/// A batch checked in place: its header and deletes decoded, each upsert left as the bytes it came in.
///
/// The hub stores a mirror row in the very framing the wire carries it in (`encodeValues`), so
/// checking a row and pointing at its bytes replaces decoding it into values and encoding it again —
/// the allocations that dominated the hub's apply — and a batch takes little more memory than its body.
public struct SyncBatchScan: Sendable {
    public var runID: String
    public var entity: String
    public var sequence: Int
    public var columns: [String]
    public var key: [String]
    public var dateColumn: String?
    public var throughVersion: Int64
    /// Where each upsert's values are in the scanned buffer, their count included (what `encodeValues` writes).
    public var upserts: [Range<Int>]
    public var deletes: [[SyncValue]]
}

/// One value of a scanned row, pointing into the batch's bytes (valid while those bytes are).
public enum SyncWireValue {
    case null
    case integer(Int64)
    /// UTF-8 bytes, already validated by `SyncWire.scan`.
    case text(UnsafeRawBufferPointer)
}

extension SyncWire {
    /// Checks a whole batch exactly as `decode` does (framing, limits, UTF-8), decoding only its header and deletes.
    public static func scan(_ raw: UnsafeRawBufferPointer) throws(TielineError) -> SyncBatchScan {
        var reader = SyncWireReader(raw)
        let head = try prelude(&reader)
        let n = try reader.rowCount("upserts")
        var upserts: [Range<Int>] = []
        upserts.reserveCapacity(n)
        for i in 0..<n {
            let start = reader.offset
            do { try reader.skipValues("value") } catch {
                throw TielineError(error.code, "upserts[\(i)]: \(error.message)")
            }
            upserts.append(start..<reader.offset)
        }
        let deletes = try reader.rows("deletes")
        try end(reader)
        return SyncBatchScan(runID: head.identity.runID, entity: head.identity.entity, sequence: head.identity.sequence, columns: head.columns,
                             key: head.key, dateColumn: head.dateColumn, throughVersion: head.throughVersion, upserts: upserts, deletes: deletes)
    }

    /// Whether the bytes are valid UTF-8. Sage text is nearly always ASCII, which cannot be invalid: it is checked
    /// eight bytes at a time, and strict validation is paid for only when a byte has its high bit set.
    public static func isUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var high: UInt64 = 0
        var i = 0
        while i + 8 <= bytes.count {
            high |= bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < bytes.count {
            high |= UInt64(bytes[i])
            i += 1
        }
        return high & 0x8080_8080_8080_8080 == 0 || String(validating: bytes.assumingMemoryBound(to: UInt8.self), as: UTF8.self) != nil
    }

    /// Reads the values of a row that `scan` checked into `values` (reused between rows, so no allocation per row).
    /// Only the first `limit` values are read (a mirror's apply needs a few leading columns of a wide row);
    /// returns how many values the row holds.
    @discardableResult
    public static func rowValues(_ raw: UnsafeRawBufferPointer, _ range: Range<Int>, into values: inout [SyncWireValue],
                                 limit: Int = .max) -> Int {
        values.removeAll(keepingCapacity: true)
        var reader = SyncWireReader(UnsafeRawBufferPointer(rebasing: raw[..<range.upperBound]))
        reader.offset = range.lowerBound
        // `scan` has checked these very bytes; a failure here would mean they changed under us.
        guard let n = try? reader.count("row") else { return 0 }
        for _ in 0..<min(n, limit) {
            guard let value = try? reader.borrowedValue() else { return n }
            values.append(value)
        }
        return n
    }
}

extension SyncWireReader {
    /// Checks one row's values as `values` would, without building them.
    mutating func skipValues(_ what: String) throws(TielineError) {
        for _ in 0..<(try valueCount(what)) {
            guard offset < raw.count else { throw truncated(what) }
            let tag = raw[offset]
            offset += 1
            switch tag {
            case SyncWire.Tag.null: continue
            case SyncWire.Tag.integer: _ = try signed(what)
            case SyncWire.Tag.text: _ = try textBytes(what)
            default:
                throw TielineError(.wireMalformed, "\(what): unknown value tag \(tag) at byte \(offset - 1) (expected 0 null, 1 integer, 2 text)")
            }
        }
    }

    /// A text's bytes, checked to be UTF-8, without making a String of them.
    @inline(__always)
    mutating func textBytes(_ what: String) throws(TielineError) -> UnsafeRawBufferPointer {
        let start = offset
        let length = try unsigned(what)
        guard length <= UInt64(remaining) else {
            throw TielineError(.wireTruncated, "\(what): text of \(length) bytes at byte \(start) runs past the end (\(remaining) left)")
        }
        let n = Int(length)
        let slice = UnsafeRawBufferPointer(rebasing: raw[offset..<offset + n])
        if !SyncWire.isUTF8(slice) {
            throw TielineError(.wireMalformed, "\(what): text at byte \(offset) is not valid UTF-8")
        }
        offset += n
        return slice
    }

    /// One value of bytes already checked, pointing into them.
    @inline(__always)
    mutating func borrowedValue() throws(TielineError) -> SyncWireValue {
        let tag = try byte("value")
        switch tag {
        case SyncWire.Tag.null: return .null
        case SyncWire.Tag.integer: return .integer(try signed("value"))
        case SyncWire.Tag.text:
            let length = Int(try unsigned("value"))
            guard length <= remaining else { throw truncated("value") }
            let slice = UnsafeRawBufferPointer(rebasing: raw[offset..<offset + length])
            offset += length
            return .text(slice)
        default: throw TielineError(.wireMalformed, "value: unknown value tag \(tag)")
        }
    }
}
