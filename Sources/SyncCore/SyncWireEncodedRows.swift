extension SyncWire {
    /// Upserts already in their wire form, written one value at a time by a reader that never builds
    /// `SyncValue`s: a Deep read of a million rows otherwise made a String and an array per row, only to
    /// copy their bytes into the batch. Bytes are exactly what `encodeValues` writes for the same values.
    public struct EncodedRows: Sendable {
        /// Each row's `valueCount value*`, one after another.
        public private(set) var bytes: [UInt8] = []
        /// How many rows `bytes` holds.
        public private(set) var count = 0

        public init(capacity: Int = 0) {
            bytes.reserveCapacity(capacity)
        }

        /// Starts a row of `values` values (the caller then appends exactly that many).
        public mutating func beginRow(values: Int) {
            count += 1
            unsigned(UInt64(values))
        }

        public mutating func appendNull() {
            bytes.append(Tag.null)
        }

        public mutating func appendInteger(_ number: Int64) {
            bytes.append(Tag.integer)
            unsigned(SyncWireWriter.zigzag(number))
        }

        /// Appends text from its UTF-8 bytes; the caller has made sure they are valid UTF-8.
        public mutating func appendText(utf8: UnsafeRawBufferPointer) {
            bytes.append(Tag.text)
            unsigned(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }

        public mutating func append(_ value: SyncValue) {
            switch value {
            case .null: appendNull()
            case .integer(let number): appendInteger(number)
            case .text(var text): text.withUTF8 { appendText(utf8: UnsafeRawBufferPointer($0)) }
            }
        }

        private mutating func unsigned(_ value: UInt64) {
            var v = value
            while v >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
                v >>= 7
            }
            bytes.append(UInt8(v))
        }
    }

    /// Encodes `batch` with `upserts` as its rows (`batch.upserts` is not read): the same bytes as
    /// `encode(_:)` gives for the batch holding those rows.
    public static func encode(_ batch: SyncBatch, upserts: EncodedRows) -> [UInt8] {
        encode(batch, rowsSize: SyncWireWriter.size(unsigned: UInt64(upserts.count)) + upserts.bytes.count) { writer in
            writer.unsigned(UInt64(upserts.count))
            upserts.bytes.withUnsafeBytes { writer.raw($0) }
        }
    }
}
