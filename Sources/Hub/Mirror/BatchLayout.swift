import NIOCore
import SyncCore
import TielineCore

/// A batch's header checked against its rows, with the positions the hub needs per row.
///
/// The codec checks framing; this checks meaning: the key and date columns must be among the
/// columns, every row as wide as the header says, key values never null.
struct BatchLayout {
    let keyIndexes: [Int]
    let dateIndex: Int?
    /// Values every upsert must carry: one per column.
    let width: Int

    /// Scans a batch's body (the checks decoding makes) and checks its header's meaning.
    static func scan(_ wire: ByteBuffer) throws(TielineError) -> (SyncBatchScan, BatchLayout) {
        let scan = try wire.withUnsafeReadableBytes { raw in
            Result { () throws(TielineError) -> SyncBatchScan in try SyncWire.scan(raw) }
        }.get()
        return (scan, try BatchLayout(scan))
    }

    /// The header's rules; a scanned batch's rows are checked as they are applied.
    init(_ scan: SyncBatchScan) throws(TielineError) {
        try self.init(runID: scan.runID, entity: scan.entity, columns: scan.columns, key: scan.key, dateColumn: scan.dateColumn)
        try Self.checkDeletes(scan.deletes, key: scan.key)
    }

    init(runID: String, entity: String, columns: [String], key: [String], dateColumn: String?) throws(TielineError) {
        try Self.checkRunID(runID)
        guard !entity.isEmpty, entity.count <= 200 else {
            throw TielineError(.invalidBatch, "entity must be 1 to 200 characters")
        }
        guard !columns.isEmpty else { throw TielineError(.invalidBatch, "batch has no columns") }
        var index: [String: Int] = [:]
        for (i, column) in columns.enumerated() {
            guard !column.isEmpty, index.updateValue(i, forKey: column) == nil else {
                throw TielineError(.invalidBatch, "column '\(column)' is empty or appears twice in the batch header")
            }
        }
        guard !key.isEmpty else { throw TielineError(.invalidBatch, "batch has no key columns") }
        keyIndexes = try key.map { (name) throws(TielineError) -> Int in
            guard let i = index[name] else {
                throw TielineError(.invalidBatch, "key column '\(name)' is not among the batch's columns")
            }
            return i
        }
        if let date = dateColumn {
            guard let i = index[date] else {
                throw TielineError(.invalidBatch, "dateColumn '\(date)' is not among the batch's columns")
            }
            dateIndex = i
        } else {
            dateIndex = nil
        }
        width = columns.count
    }

    static func checkDeletes(_ deletes: [[SyncValue]], key: [String]) throws(TielineError) {
        for (n, values) in deletes.enumerated() {
            guard values.count == key.count, !values.contains(.null) else {
                throw TielineError(.invalidBatch, "delete \(n) must carry exactly \(key.count) non-null key values (\(key.joined(separator: ", ")))")
            }
        }
    }

    static func wrongWidth(_ n: Int, _ count: Int, _ columns: Int) -> TielineError {
        TielineError(.invalidBatch, "upsert \(n) has \(count) values but the batch has \(columns) columns")
    }

    static func nullKey(_ n: Int, _ column: String) -> TielineError {
        TielineError(.invalidBatch, "upsert \(n) has no value for key column '\(column)'")
    }

    /// Where an upsert's date is: none, text in the request body, or a number's digits in the caller's arena.
    enum DatePlace {
        case none
        case body(Range<Int>)
        case arena(Range<Int>)
    }

    /// Reads scanned upsert `n`'s leading `limit` values into `values`, checks its width, and spells its key (and a
    /// numeric date) into `arena`: the key's range there and where its date is.
    func read(upsert n: Int, _ range: Range<Int>, of scan: SyncBatchScan, _ raw: UnsafeRawBufferPointer, limit: Int,
              values: inout [SyncWireValue], arena: inout [UInt8]) throws(TielineError) -> (key: Range<Int>, date: DatePlace) {
        let count = SyncWire.rowValues(raw, range, into: &values, limit: limit)
        guard count == width else { throw Self.wrongWidth(n, count, width) }
        let start = arena.count
        try appendKey(of: values, row: n, columns: scan.columns, to: &arena)
        let key = start ..< arena.count
        guard let dateIndex else { return (key, .none) }
        switch values[dateIndex] {
        case .null:
            return (key, .none)
        case .text(let text):
            let offset = text.baseAddress.map { $0 - raw.baseAddress! } ?? range.lowerBound
            return (key, .body(offset ..< offset + text.count))
        case .integer(let number):
            let start = arena.count
            Self.appendDecimal(number, to: &arena)
            return (key, .arena(start ..< arena.count))
        }
    }

    /// Appends a scanned upsert's mirror key, spelled as `MirrorKey.encode` spells its values, and checks it has no null.
    func appendKey(of values: [SyncWireValue], row n: Int, columns: [String], to bytes: inout [UInt8]) throws(TielineError) {
        for (j, i) in keyIndexes.enumerated() {
            if j > 0 { bytes.append(0x1F) }
            switch values[i] {
            case .null: throw Self.nullKey(n, columns[i])
            case .integer(let number): Self.appendDecimal(number, to: &bytes)
            case .text(let text): MirrorKey.appendEscaped(text, to: &bytes)
            }
        }
    }

    /// How many leading values of a row the apply reads: its key, its date and its cost coding (a JC row's
    /// lie in its first 9 of 33), so the rest is never parsed; the row is stored as received.
    func valuesRead(_ costCodes: CostCodeIndex.Collector) -> Int {
        ([dateIndex, costCodes.job, costCodes.costCode, costCodes.category].compactMap { $0 } + keyIndexes).max().map { $0 + 1 } ?? 0
    }

    /// Appends a number's decimal digits, as `String(number)` spells it.
    static func appendDecimal(_ number: Int64, to bytes: inout [UInt8]) {
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }

    static func checkRunID(_ runID: String) throws(TielineError) {
        guard !runID.isEmpty, runID.count <= 100, runID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.:".contains($0)) }) else {
            throw TielineError(.invalidInput, "run id must be 1 to 100 characters of letters, digits, '-', '_', '.' or ':'")
        }
    }
}
