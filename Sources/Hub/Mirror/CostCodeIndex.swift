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
}
