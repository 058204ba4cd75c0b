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

/// The ids of `mirror_entity` this process has seen committed. An id never changes once given, so it is asked of the
/// database once per entity name and process.
final class EntityIDs: Sendable {
    private let ids = Mutex<[String: Int32]>([:])

    subscript(name: String) -> Int32? { ids.withLock { $0[name] } }

    /// Remembers an id read or inserted by a transaction that has committed.
    func remember(_ name: String, _ id: Int32) {
        ids.withLock { $0[name] = id }
    }
}
