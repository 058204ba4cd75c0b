import SyncCore
import TielineCore

/// A batch's header checked against its rows, with the positions the hub needs per row.
///
/// The codec checks framing; this checks meaning: the key and date columns must be among the
/// columns, every row as wide as the header says, key values never null.
struct BatchLayout {
    let keyIndexes: [Int]
    let dateIndex: Int?

    init(_ batch: SyncBatch) throws(TielineError) {
        try Self.checkRunID(batch.runID)
        guard !batch.entity.isEmpty, batch.entity.count <= 200 else {
            throw TielineError(.invalidBatch, "entity must be 1 to 200 characters")
        }
        guard !batch.columns.isEmpty else { throw TielineError(.invalidBatch, "batch has no columns") }
        var index: [String: Int] = [:]
        for (i, column) in batch.columns.enumerated() {
            guard !column.isEmpty, index.updateValue(i, forKey: column) == nil else {
                throw TielineError(.invalidBatch, "column '\(column)' is empty or appears twice in the batch header")
            }
        }
        guard !batch.key.isEmpty else { throw TielineError(.invalidBatch, "batch has no key columns") }
        keyIndexes = try batch.key.map { (name) throws(TielineError) -> Int in
            guard let i = index[name] else {
                throw TielineError(.invalidBatch, "key column '\(name)' is not among the batch's columns")
            }
            return i
        }
        if let date = batch.dateColumn {
            guard let i = index[date] else {
                throw TielineError(.invalidBatch, "dateColumn '\(date)' is not among the batch's columns")
            }
            dateIndex = i
        } else {
            dateIndex = nil
        }
        for (n, row) in batch.upserts.enumerated() {
            guard row.count == batch.columns.count else {
                throw TielineError(.invalidBatch, "upsert \(n) has \(row.count) values but the batch has \(batch.columns.count) columns")
            }
            for i in keyIndexes where row[i] == .null {
                throw TielineError(.invalidBatch, "upsert \(n) has no value for key column '\(batch.columns[i])'")
            }
        }
        for (n, values) in batch.deletes.enumerated() {
            guard values.count == batch.key.count, !values.contains(.null) else {
                throw TielineError(.invalidBatch, "delete \(n) must carry exactly \(batch.key.count) non-null key values (\(batch.key.joined(separator: ", ")))")
            }
        }
    }

    /// The canonical mirror key of an upsert row.
    func key(of row: [SyncValue]) -> String {
        if keyIndexes.count == 1, case .text(let single) = row[keyIndexes[0]], !single.contains(where: { $0 == "\u{1F}" || $0 == "\u{1B}" }) {
            return single
        }
        return MirrorKey.encode(keyIndexes.map { MirrorKey.text(row[$0]) ?? "" })
    }

    static func checkRunID(_ runID: String) throws(TielineError) {
        guard !runID.isEmpty, runID.count <= 100, runID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.:".contains($0)) }) else {
            throw TielineError(.invalidInput, "run id must be 1 to 100 characters of letters, digits, '-', '_', '.' or ':'")
        }
    }
}
