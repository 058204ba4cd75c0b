import Synchronization

/// Cost-code index entries known to be stored, per site: most of a Deep sync's batches repeat the same job / cost code /
/// category combinations, and inserting them again only to be ignored costs the database a lookup each (both backends).
///
/// Only committed entries are remembered, and the index is never pruned, so a remembered entry is always stored.
/// Bounded: past `limit` entries it starts over (then entries are merely sent again).
final class KnownCostCodes: Sendable {
    private struct Key: Hashable {
        var site: Int64
        var entry: CostCodeIndex.Entry
    }

    private let known = Mutex<Set<Key>>([])
    let limit: Int

    init(limit: Int = 500_000) {
        self.limit = limit
    }

    func contains(site: Int64, _ entry: CostCodeIndex.Entry) -> Bool {
        known.withLock { $0.contains(Key(site: site, entry: entry)) }
    }

    func insert(site: Int64, _ entries: [CostCodeIndex.Entry]) {
        guard !entries.isEmpty else { return }
        known.withLock { known in
            if known.count + entries.count > limit { known.removeAll(keepingCapacity: true) }
            for entry in entries { known.insert(Key(site: site, entry: entry)) }
        }
    }
}
