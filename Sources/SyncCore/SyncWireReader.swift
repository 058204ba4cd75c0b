import TielineCore

/// Reads the wire's primitives from a buffer, checking every read against its end.
///
/// Every failure names what was being read and the byte offset, so a 400 tells the agent's
/// developer where the framing went wrong.
struct SyncWireReader {
    let raw: UnsafeRawBufferPointer
    var offset = 0
    /// Rows and values still allowed in this batch: decoded rows cost ~10x their wire size in memory.
    var rowBudget = SyncWire.maxRows
    var valueBudget = SyncWire.maxValues

    init(_ raw: UnsafeRawBufferPointer) { self.raw = raw }

    var remaining: Int { raw.count - offset }

    @inline(__always)
    mutating func byte(_ what: String) throws(TielineError) -> UInt8 {
        guard offset < raw.count else { throw truncated(what) }
        let b = raw[offset]
        offset += 1
        return b
    }

    @inline(__always)
    mutating func unsigned(_ what: String) throws(TielineError) -> UInt64 {
        // Fast path: one-byte varints are by far the most common (counts, short lengths).
        if offset < raw.count, raw[offset] < 0x80 {
            let b = raw[offset]
            offset += 1
            return UInt64(b)
        }
        let start = offset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < raw.count else { throw truncated(what) }
            let b = raw[offset]
            offset += 1
            if shift == 63 && b > 1 {
                throw TielineError(.wireMalformed, "\(what): varint at byte \(start) overflows 64 bits")
            }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 {
                // One spelling per number: a padded varint (trailing 0x00 group) is refused.
                guard b != 0 || shift == 0 else {
                    throw TielineError(.wireMalformed, "\(what): varint at byte \(start) is not minimally encoded")
                }
                return result
            }
            shift += 7
            if shift > 63 {
                throw TielineError(.wireMalformed, "\(what): varint at byte \(start) is longer than 10 bytes")
            }
        }
    }

    @inline(__always)
    mutating func signed(_ what: String) throws(TielineError) -> Int64 {
        let z = try unsigned(what)
        return Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
    }

    /// A count of items each at least one byte long: bounded by what is left, so no huge allocation.
    @inline(__always)
    mutating func count(_ what: String) throws(TielineError) -> Int {
        let start = offset
        let n = try unsigned(what)
        guard n <= UInt64(remaining) else {
            throw TielineError(.wireTruncated, "\(what): count \(n) at byte \(start) exceeds the \(remaining) bytes left")
        }
        return Int(n)
    }

    @inline(__always)
    mutating func text(_ what: String) throws(TielineError) -> String {
        // `textBytes` has checked the bytes are UTF-8 (strictly only when a byte has its high bit set).
        String(decoding: try textBytes(what), as: UTF8.self)
    }

    mutating func names(_ what: String) throws(TielineError) -> [String] {
        let n = try count(what)
        guard n <= SyncWire.maxColumns else {
            throw TielineError(.wireMalformed, "\(what): \(n) names exceed the limit of \(SyncWire.maxColumns)")
        }
        var names: [String] = []
        names.reserveCapacity(n)
        for i in 0..<n { names.append(try text("\(what)[\(i)]")) }
        return names
    }

    @inline(__always)
    mutating func value(_ what: String) throws(TielineError) -> SyncValue {
        guard offset < raw.count else { throw truncated(what) }
        let tag = raw[offset]
        offset += 1
        switch tag {
        case SyncWire.Tag.null: return .null
        case SyncWire.Tag.integer: return .integer(try signed(what))
        case SyncWire.Tag.text: return .text(try text(what))
        default:
            throw TielineError(.wireMalformed, "\(what): unknown value tag \(tag) at byte \(offset - 1) (expected 0 null, 1 integer, 2 text)")
        }
    }

    /// A row's value count, within the column limit and what is left of the batch's value budget.
    mutating func valueCount(_ what: String) throws(TielineError) -> Int {
        let n = try count(what)
        guard n <= SyncWire.maxColumns else {
            throw TielineError(.wireMalformed, "\(what): \(n) values exceed the limit of \(SyncWire.maxColumns)")
        }
        guard n <= valueBudget else {
            throw TielineError(.wireTooLarge, "the batch holds more than \(SyncWire.maxValues) values; send fewer rows per batch")
        }
        valueBudget -= n
        return n
    }

    mutating func values(_ what: String) throws(TielineError) -> [SyncValue] {
        let n = try valueCount(what)
        // Filled in place: no per-value capacity checks on the hottest loop of decoding.
        var failure: TielineError?
        let row = [SyncValue](unsafeUninitializedCapacity: n) { buffer, count in
            for i in 0..<n {
                do throws(TielineError) {
                    (buffer.baseAddress! + i).initialize(to: try value(what))
                } catch {
                    failure = error
                    count = i
                    return
                }
            }
            count = n
        }
        if let failure { throw failure }
        return row
    }

    /// A row count, within what is left of the batch's row budget.
    mutating func rowCount(_ what: String) throws(TielineError) -> Int {
        let n = try count(what)
        guard n <= rowBudget else {
            throw TielineError(.wireTooLarge, "the batch holds more than \(SyncWire.maxRows) rows (upserts and deletes); send fewer rows per batch")
        }
        rowBudget -= n
        return n
    }

    mutating func rows(_ what: String) throws(TielineError) -> [[SyncValue]] {
        let n = try rowCount(what)
        var rows: [[SyncValue]] = []
        rows.reserveCapacity(n)
        for i in 0..<n {
            // The row index is added only on failure: building it per row would cost more than the row.
            do { rows.append(try values("value")) } catch {
                throw TielineError(error.code, "\(what)[\(i)]: \(error.message)")
            }
        }
        return rows
    }

    func truncated(_ what: String) -> TielineError {
        TielineError(.wireTruncated, "\(what): batch ends at byte \(raw.count) before it is complete")
    }
}
