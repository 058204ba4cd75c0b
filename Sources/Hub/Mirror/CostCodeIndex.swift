import Foundation
import SyncCore

/// The job / cost code / category combinations a batch proves exist in Sage.
///
/// The PCCO preset mirrors no cost code or category table of its own, but Transaction (JC) rows
/// (each job's estimates among them), contract items and Quick Bill Contract Items carry them;
/// validation asks this small index instead of scanning a million transactions. Deletes leave it
/// alone: a cost code outlives its transactions in Sage, and the agent checks Sage again before writing.
enum CostCodeIndex {
    struct Entry: Hashable {
        var job: String
        var costCode: String
        /// Empty when the batch proves the cost code only.
        var category: String
    }

    static func entries(of batch: SyncBatch) -> Set<Entry> {
        guard let job = batch.columns.firstIndex(of: "Job"), let costCode = batch.columns.firstIndex(of: "Cost_Code") else { return [] }
        let category = batch.columns.firstIndex(of: "Category")
        var entries = Set<Entry>()
        for row in batch.upserts {
            guard case .text(let j) = row[job], case .text(let c) = row[costCode], !j.isEmpty, !c.isEmpty else { continue }
            var cat = ""
            if let category, case .text(let value) = row[category] { cat = value }
            entries.insert(Entry(job: j, costCode: c, category: cat))
        }
        return entries
    }

    /// Gathers the entries of scanned rows, skipping a row that repeats the one before (JC entries come in runs).
    struct Collector {
        let job: Int?
        let costCode: Int?
        let category: Int?
        private(set) var entries = Set<Entry>()
        private var last: (job: UnsafeRawBufferPointer, costCode: UnsafeRawBufferPointer, category: UnsafeRawBufferPointer?)?

        init(columns: [String]) {
            job = columns.firstIndex(of: "Job")
            costCode = columns.firstIndex(of: "Cost_Code")
            category = job == nil || costCode == nil ? nil : columns.firstIndex(of: "Category")
        }

        mutating func add(_ row: [SyncWireValue]) {
            guard let job, let costCode, case .text(let j) = row[job], case .text(let c) = row[costCode], !j.isEmpty, !c.isEmpty else { return }
            var cat: UnsafeRawBufferPointer?
            if let category, case .text(let value) = row[category] { cat = value }
            if let last, Self.same(last.job, j), Self.same(last.costCode, c), Self.same(last.category, cat) { return }
            last = (j, c, cat)
            entries.insert(Entry(job: String(decoding: j, as: UTF8.self), costCode: String(decoding: c, as: UTF8.self),
                                 category: cat.map { String(decoding: $0, as: UTF8.self) } ?? ""))
        }

        private static func same(_ a: UnsafeRawBufferPointer?, _ b: UnsafeRawBufferPointer?) -> Bool {
            guard let a, let b else { return a == nil && b == nil }
            return a.count == b.count && (a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
        }
    }
}
