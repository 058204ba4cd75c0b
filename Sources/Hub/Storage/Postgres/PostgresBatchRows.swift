import NIOCore
import PostgresNIO
import SyncCore
import TielineCore

/// A batch turned into array parameters, prepared before a connection is leased.
///
/// Upserts are bound as three arrays (keys, encoded rows, dates) that `unnest` turns back into rows (in step: one length):
/// one statement per 10,000 rows, three parameters however many rows, instead of eight per row.
/// One `INSERT ... ON CONFLICT DO UPDATE` may not touch a key twice, so a key repeated in the batch
/// keeps its last row, which is what applying the rows one by one (SQLite) leaves too.
struct PostgresBatchRows {
    struct UpsertChunk {
        var keys = PostgresArrayParameter(.text)
        var rows = PostgresArrayParameter(.bytea)
        var dates = PostgresArrayParameter(.text)
    }

    struct CostCodes {
        var jobs = PostgresArrayParameter(.text)
        var costCodes = PostgresArrayParameter(.text)
        var categories = PostgresArrayParameter(.text)
    }

    /// Rows per upsert statement: large enough to amortize a round trip, small enough to bound one message.
    static let chunkSize = 10_000

    private(set) var upsertChunks: [UpsertChunk] = []
    private(set) var costCodes: CostCodes?
    /// The cost-code index entries `costCodes` holds, to remember once committed.
    private(set) var costCodeKeys: [CostCodeIndex.Key] = []
    private(set) var deletes: PostgresArrayParameter?

    /// A scanned batch's rows from the request body's bytes: each row goes over as the bytes it came in, its key and
    /// date are spelled from them, and nothing is decoded into values (as SQLite's apply does; see `MirrorUpsert`).
    /// `unknown` picks the batch's cost-code index entries not yet stored, so stored ones are not sent again.
    init(_ scan: SyncBatchScan, _ raw: UnsafeRawBufferPointer, layout: BatchLayout,
         unknown: (ByteKeySet) -> [CostCodeIndex.Key]) throws(TielineError) {
        try Self.checkText(scan.entity, "the entity name")
        var collector = CostCodeIndex.Collector(columns: scan.columns)
        let needed = layout.valuesRead(collector)
        var values: [SyncWireValue] = []
        values.reserveCapacity(needed)
        // Keys (and a number's date digits) in one arena; dates spelled as text point into the body.
        var arena: [UInt8] = []
        var keys: [Range<Int>] = []
        keys.reserveCapacity(scan.upserts.count)
        var dates: [BatchLayout.DatePlace] = []
        dates.reserveCapacity(scan.upserts.count)
        for (n, range) in scan.upserts.enumerated() {
            let (key, date) = try layout.read(upsert: n, range, of: scan, raw, limit: needed, values: &values, arena: &arena)
            if arena[key].contains(0) { throw Self.nul("the key of upsert \(n)") }
            keys.append(key)
            switch date {
            case .body(let range) where raw[range].contains(0), .arena(let range) where arena[range].contains(0):
                throw Self.nul("the date of upsert \(n)")
            default: break
            }
            dates.append(date)
            collector.add(values)
        }
        // One statement may not touch a key twice: a repeated key keeps its last row (found walking from the end).
        var keep = [Bool](repeating: false, count: keys.count)
        var later = ByteKeySet(minimumCapacity: keys.count)
        var chunk = UpsertChunk()
        arena.withUnsafeBytes { arena in
            for n in keys.indices.reversed() {
                let key = UnsafeRawBufferPointer(rebasing: arena[keys[n]])
                keep[n] = later.insert(key, hash: ByteKeySet.hash(key))
            }
            for (n, range) in scan.upserts.enumerated() where keep[n] {
                chunk.keys.append(bytes: UnsafeRawBufferPointer(rebasing: arena[keys[n]]))
                chunk.rows.append(bytes: UnsafeRawBufferPointer(rebasing: raw[range]))
                switch dates[n] {
                case .none: chunk.dates.appendNull()
                case .body(let range): chunk.dates.append(bytes: UnsafeRawBufferPointer(rebasing: raw[range]))
                case .arena(let range): chunk.dates.append(bytes: UnsafeRawBufferPointer(rebasing: arena[range]))
                }
                if chunk.keys.count == Self.chunkSize {
                    upsertChunks.append(chunk)
                    chunk = UpsertChunk()
                }
            }
        }
        if chunk.keys.count > 0 { upsertChunks.append(chunk) }

        costCodeKeys = unknown(collector.keys)
        if !costCodeKeys.isEmpty {
            var index = CostCodes()
            for entry in costCodeKeys.map(\.entry) {
                try Self.checkText(entry.job + entry.costCode + entry.category, "a Job, Cost_Code or Category value")
                index.jobs.append(text: entry.job)
                index.costCodes.append(text: entry.costCode)
                index.categories.append(text: entry.category)
            }
            costCodes = index
        }
        if !scan.deletes.isEmpty {
            var keys = PostgresArrayParameter(.text)
            for (n, values) in scan.deletes.enumerated() {
                let key = MirrorKey.encode(values.compactMap(MirrorKey.text))
                try Self.checkText(key, "the key of delete \(n)")
                keys.append(text: key)
            }
            deletes = keys
        }
    }

    /// PostgreSQL text cannot hold NUL; SQLite can, so the difference is refused with a reason rather than failing in SQL.
    static func checkText(_ text: String, _ what: String) throws(TielineError) {
        if text.utf8.contains(0) { throw nul(what) }
    }

    static func nul(_ what: String) -> TielineError {
        TielineError(.invalidBatch, "\(what) contains a NUL character, which the hub's PostgreSQL database cannot store")
    }
}

/// A one-dimensional `text[]` or `bytea[]` parameter written straight into wire format as elements are appended.
struct PostgresArrayParameter: PostgresDynamicTypeEncodable {
    let elementType: PostgresDataType
    private(set) var count = 0
    private var hasNull = false
    private(set) var elements = ByteBufferAllocator().buffer(capacity: 0)

    init(_ elementType: PostgresDataType) {
        self.elementType = elementType
    }

    var psqlType: PostgresDataType { elementType == .bytea ? .byteaArray : .textArray }
    var psqlFormat: PostgresFormat { .binary }

    mutating func append(text: String) {
        let start = elements.writerIndex
        elements.writeInteger(Int32(0))
        let length = elements.writeString(text)
        elements.setInteger(Int32(length), at: start)
        count += 1
    }

    /// Appends an element's bytes as they are (text's UTF-8, already checked, or a bytea's).
    mutating func append(bytes: UnsafeRawBufferPointer) {
        elements.writeInteger(Int32(bytes.count))
        elements.writeBytes(bytes)
        count += 1
    }

    mutating func appendNull() {
        elements.writeInteger(Int32(-1))
        hasNull = true
        count += 1
    }

    /// PostgreSQL's binary array: dimensions, has-nulls flag, element type, then (size, lower bound) and the elements.
    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(Int32(count == 0 ? 0 : 1))
        buffer.writeInteger(Int32(hasNull ? 1 : 0))
        buffer.writeInteger(elementType.rawValue)
        guard count > 0 else { return }
        buffer.writeInteger(Int32(count))
        buffer.writeInteger(Int32(1))
        var elements = elements
        buffer.writeBuffer(&elements)
    }
}
