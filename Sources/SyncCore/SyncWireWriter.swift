/// Writes the wire's primitives (varints, tagged values, length-prefixed text) into a buffer
/// sized exactly beforehand, so encoding is one allocation and no per-byte capacity checks.
struct SyncWireWriter {
    private(set) var cursor: UnsafeMutablePointer<UInt8>

    init(_ start: UnsafeMutablePointer<UInt8>) { cursor = start }

    // MARK: sizes (must mirror the writers below byte for byte)

    @inline(__always)
    static func size(unsigned value: UInt64) -> Int {
        value == 0 ? 1 : (70 - value.leadingZeroBitCount) / 7
    }

    /// A signed value as the wire stores it: ZigZag, so small negative numbers take few bytes too.
    @inline(__always)
    static func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    @inline(__always)
    static func size(signed value: Int64) -> Int {
        size(unsigned: zigzag(value))
    }

    @inline(__always)
    static func size(text value: String) -> Int {
        let n = value.utf8.count
        return size(unsigned: UInt64(n)) + n
    }

    @inline(__always)
    static func size(value: SyncValue) -> Int {
        switch value {
        case .null: 1
        case .integer(let n): 1 + size(signed: n)
        case .text(let s): 1 + size(text: s)
        }
    }

    static func size(values row: [SyncValue]) -> Int {
        var total = size(unsigned: UInt64(row.count))
        for value in row { total += size(value: value) }
        return total
    }

    static func size(rows: [[SyncValue]]) -> Int {
        var total = size(unsigned: UInt64(rows.count))
        for row in rows { total += size(values: row) }
        return total
    }

    // MARK: writers

    @inline(__always)
    mutating func byte(_ b: UInt8) {
        cursor.pointee = b
        cursor += 1
    }

    @inline(__always)
    mutating func unsigned(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            byte(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        byte(UInt8(v))
    }

    /// Zigzag keeps small negative numbers (credits, reversals) as short as small positive ones.
    @inline(__always)
    mutating func signed(_ value: Int64) {
        unsigned(Self.zigzag(value))
    }

    @inline(__always)
    mutating func text(_ value: String) {
        var value = value
        // Native strings are contiguous UTF-8, so this is one length write and one memcpy.
        value.withUTF8 { utf8 in
            unsigned(UInt64(utf8.count))
            if let base = utf8.baseAddress, utf8.count > 0 {
                cursor.update(from: base, count: utf8.count)
                cursor += utf8.count
            }
        }
    }

    @inline(__always)
    mutating func value(_ value: SyncValue) {
        switch value {
        case .null:
            byte(SyncWire.Tag.null)
        case .integer(let number):
            byte(SyncWire.Tag.integer)
            signed(number)
        case .text(let string):
            byte(SyncWire.Tag.text)
            text(string)
        }
    }

    /// Copies bytes already in wire form.
    mutating func raw(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        UnsafeMutableRawPointer(cursor).copyMemory(from: base, byteCount: bytes.count)
        cursor += bytes.count
    }

    mutating func values(_ row: [SyncValue]) {
        unsigned(UInt64(row.count))
        for item in row { value(item) }
    }

    mutating func rows(_ rows: [[SyncValue]]) {
        unsigned(UInt64(rows.count))
        for row in rows { values(row) }
    }

    /// Allocates exactly `size` bytes and lets `body` fill them; traps if the sizing was wrong,
    /// which would be a bug in this file, never a property of the input.
    static func write(size: Int, _ body: (inout SyncWireWriter) -> Void) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            let start = buffer.baseAddress!
            var writer = SyncWireWriter(start)
            body(&writer)
            count = writer.cursor - start
            precondition(count == size, "SyncWire sizing mismatch: wrote \(count) of \(size) bytes")
        }
    }
}
