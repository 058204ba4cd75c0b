import Synchronization

/// Cost-code index entries known to be stored, per site: most of a Deep sync's batches repeat the same job / cost code /
/// category combinations, and inserting them again only to be ignored costs the database a lookup each (both backends).
///
/// Only committed entries are remembered, and the index is never pruned, so a remembered entry is always stored.
/// Bounded: past `limit` entries it starts over (then entries are merely sent again).
final class KnownCostCodes: Sendable {
    private struct Known: ~Copyable {
        var sites: [Int64: ByteKeySet] = [:]
        var count = 0
    }

    private let known = Mutex(Known())
    let limit: Int

    init(limit: Int = 500_000) {
        self.limit = limit
    }

    /// The keys of `batch` not yet known to be stored for the site: the ones to insert.
    func unknown(site: Int64, in batch: ByteKeySet) -> [CostCodeIndex.Key] {
        known.withLock { known in
            var fresh: [CostCodeIndex.Key] = []
            let stored = known.sites[site]
            batch.forEach { key, hash in
                if stored?.contains(key, hash: hash) != true { fresh.append(CostCodeIndex.Key(bytes: Array(key), hash: hash)) }
            }
            return fresh
        }
    }

    /// Remembers keys once the transaction that stored them has committed.
    func insert(site: Int64, _ keys: [CostCodeIndex.Key]) {
        guard !keys.isEmpty else { return }
        known.withLock { known in
            if known.count + keys.count > limit {
                known.sites.removeAll()
                known.count = 0
            }
            for key in keys where key.bytes.withUnsafeBytes({ known.sites[site, default: ByteKeySet()].insert($0, hash: key.hash) }) {
                known.count += 1
            }
        }
    }
}
