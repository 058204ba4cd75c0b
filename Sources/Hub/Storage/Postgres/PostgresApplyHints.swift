import Synchronization

// What a PostgreSQL hub process has learnt while applying batches, to spare the database work it knows is useless.

/// Cost-code index entries known to be stored, per site: most of a Deep sync's batches repeat the same job / cost code /
/// category combinations, and sending them again only to hit `ON CONFLICT DO NOTHING` costs the database a lookup each.
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

/// The site entities whose batches have so far brought only keys new to the mirror, so a plain INSERT may be tried;
/// once one meets a stored key, that entity is upserted for the rest of the process's life.
final class InsertsOnly: Sendable {
    private struct Key: Hashable {
        var site: Int64
        var entity: String
    }

    private let stopped = Mutex<Set<Key>>([])

    func allows(site: Int64, entity: String) -> Bool {
        !stopped.withLock { $0.contains(Key(site: site, entity: entity)) }
    }

    func stop(site: Int64, entity: String) {
        _ = stopped.withLock { $0.insert(Key(site: site, entity: entity)) }
    }
}
