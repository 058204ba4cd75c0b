import Synchronization

// What a PostgreSQL hub process has learnt while applying batches, to spare the database work it knows is useless
// (the cost-code entries it stored are in KnownCostCodes, shared with SQLite).

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
