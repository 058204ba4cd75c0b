import Synchronization
import SyncCore
import TielineCore

/// What validation last learnt from a site's mirror, per contract, job and cost code, for a few seconds.
///
/// A burst of Accepts validates many PCCOs on the same few contracts; each used to ask the mirror the
/// same questions again (the contract, its items, its change orders, the cost codes). Answers are
/// forgotten when this process applies a batch for the site, and after `lifetime` in any case (another
/// hub process may have applied one). A stale answer can only delay or let through what the agent checks
/// against Sage again when it writes. Each storage owns one and forgets a site's answers as it changes its mirror.
public final class MirrorFacts: Sendable {
    /// One contract's rows, read whole (its items and change orders by their keys).
    struct Contract: Sendable {
        var row: (job: String, status: String)?
        /// Nil when the contract has more items than one read takes: those are then asked one by one.
        var items: Set<String>?
        var changeOrders: [String: String?]?
    }

    private struct Entry<Value: Sendable>: Sendable {
        var value: Value
        var at: ContinuousClock.Instant
    }

    private struct Facts: Sendable {
        var contracts: [String: Entry<Contract>] = [:]
        var facts: [String: Entry<Bool>] = [:]
    }

    private struct State: Sendable {
        var sites: [Int64: Facts] = [:]
        /// Bumped by `forget`: an answer read while the mirror changed is not kept.
        var generations: [Int64: Int] = [:]
    }

    /// How long an answer is trusted without a change seen here (settable for tests on a slow machine).
    var lifetime: Duration {
        get { lifetimeValue.withLock { $0 } }
        set { lifetimeValue.withLock { $0 = newValue } }
    }
    private let lifetimeValue: Mutex<Duration>
    /// Past this many answers per site everything is forgotten (a burst needs few).
    let limit = 10_000
    private let state = Mutex(State())

    init(lifetime: Duration = .seconds(2)) { lifetimeValue = Mutex(lifetime) }

    /// Forgets what is known of the site's mirror (a batch was applied or an entity completed).
    func forget(site: Int64) {
        state.withLock { state in
            state.sites[site] = nil
            state.generations[site, default: 0] += 1
        }
    }

    func contract(_ name: String, site: Int64, load: () async throws -> Contract) async rethrows -> Contract {
        try await remembered(name, in: \.contracts, site: site, load: load)
    }

    /// A yes/no question about the mirror (a job, a cost code), by a key naming the question.
    func fact(_ key: String, site: Int64, load: () async throws -> Bool) async rethrows -> Bool {
        try await remembered(key, in: \.facts, site: site, load: load)
    }

    private func remembered<Value: Sendable>(_ key: String, in answers: WritableKeyPath<Facts, [String: Entry<Value>]> & Sendable,
                                             site: Int64, load: () async throws -> Value) async rethrows -> Value {
        let now = ContinuousClock.now
        let (known, generation) = state.withLock { ($0.sites[site]?[keyPath: answers][key], $0.generations[site] ?? 0) }
        if let known, now - known.at < lifetime { return known.value }
        let value = try await load()
        state.withLock { state in
            guard state.generations[site] ?? 0 == generation else { return }
            if (state.sites[site]?[keyPath: answers].count ?? 0) >= limit { state.sites[site] = nil }
            state.sites[site, default: Facts()][keyPath: answers][key] = Entry(value: value, at: now)
        }
        return value
    }
}
