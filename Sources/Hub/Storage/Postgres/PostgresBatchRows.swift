import NIOCore
import PostgresNIO
import SyncCore
import TielineCore

/// A batch turned into array parameters, prepared before a connection is leased.
///
/// Upserts are bound as three arrays (keys, encoded rows, dates) that `unnest` turns back into rows:
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

    /// `unknown` picks the batch's cost-code index entries not yet stored, so stored ones are not sent again.
    init(_ batch: SyncBatch, layout: BatchLayout, unknown: (ByteKeySet) -> [CostCodeIndex.Key]) throws(TielineError) {
        try Self.checkText(batch.entity, "the entity name")
        let keys = batch.upserts.map(layout.key(of:))
        var keep: [Bool]?
        var seen = Set<String>(minimumCapacity: keys.count)
        for key in keys where !seen.insert(key).inserted {
            keep = Self.lastOccurrences(keys)
            break
        }
        var chunk = UpsertChunk()
        for (n, row) in batch.upserts.enumerated() where keep?[n] ?? true {
            try Self.checkText(keys[n], "the key of upsert \(n)")
            chunk.keys.append(text: keys[n])
            chunk.rows.append(bytes: SyncWire.encodeValues(row))
            if let date = layout.dateIndex.flatMap({ MirrorKey.text(row[$0]) }) {
                try Self.checkText(date, "the date of upsert \(n)")
                chunk.dates.append(text: date)
            } else {
                chunk.dates.appendNull()
            }
            if chunk.keys.count == Self.chunkSize {
                upsertChunks.append(chunk)
                chunk = UpsertChunk()
            }
        }
        if chunk.keys.count > 0 { upsertChunks.append(chunk) }

        costCodeKeys = unknown(CostCodeIndex.keys(of: batch))
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
        if !batch.deletes.isEmpty {
            var keys = PostgresArrayParameter(.text)
            for (n, values) in batch.deletes.enumerated() {
                let key = MirrorKey.encode(values.compactMap(MirrorKey.text))
                try Self.checkText(key, "the key of delete \(n)")
                keys.append(text: key)
            }
            deletes = keys
        }
    }

    /// For each position, whether no later row has the same key.
    static func lastOccurrences(_ keys: [String]) -> [Bool] {
        var seen = Set<String>(minimumCapacity: keys.count)
        var keep = [Bool](repeating: false, count: keys.count)
        for n in keys.indices.reversed() { keep[n] = seen.insert(keys[n]).inserted }
        return keep
    }

    /// PostgreSQL text cannot hold NUL; SQLite can, so the difference is refused with a reason rather than failing in SQL.
    static func checkText(_ text: String, _ what: String) throws(TielineError) {
        if text.utf8.contains(0) {
            throw TielineError(.invalidBatch, "\(what) contains a NUL character, which the hub's PostgreSQL database cannot store")
        }
    }
}

/// A one-dimensional `text[]` or `bytea[]` parameter written straight into wire format as elements are appended.
struct PostgresArrayParameter: PostgresDynamicTypeEncodable {
    let elementType: PostgresDataType
    private(set) var count = 0
    private var hasNull = false
    private var elements = ByteBufferAllocator().buffer(capacity: 0)

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

    mutating func append(bytes: [UInt8]) {
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
