/// Appends the wire's primitives (varints, tagged values, length-prefixed text) to a byte array.
struct SyncWireWriter {
    var bytes: [UInt8]

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inline(__always)
    mutating func unsigned(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Zigzag keeps small negative numbers (credits, reversals) as short as small positive ones.
    @inline(__always)
    mutating func signed(_ value: Int64) {
        unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    @inline(__always)
    mutating func text(_ value: String) {
        var value = value
        // Native strings are contiguous UTF-8, so this is one length write and one memcpy.
        value.withUTF8 { utf8 in
            unsigned(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    @inline(__always)
    mutating func value(_ value: SyncValue) {
        switch value {
        case .null:
            bytes.append(SyncWire.Tag.null)
        case .integer(let number):
            bytes.append(SyncWire.Tag.integer)
            signed(number)
        case .text(let string):
            bytes.append(SyncWire.Tag.text)
            text(string)
        }
    }

    mutating func values(_ row: [SyncValue]) {
        unsigned(UInt64(row.count))
        for item in row { value(item) }
    }

    mutating func rows(_ rows: [[SyncValue]]) {
        unsigned(UInt64(rows.count))
        for row in rows { values(row) }
    }
}
