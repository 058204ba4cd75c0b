import Foundation
import Synchronization
import TielineCore

/// Slows password guessing by backing off: after `limit` failures of one key (a user, a client
/// address), each further attempt must wait twice as long as the last, up to `maxDelay`. Nothing is
/// refused forever, so a guesser cannot lock the rightful user out for good.
///
/// Memory is bounded by `capacity` keys. When full, expired keys go first, then those with the fewest
/// failures, so a flood of one-off unknown names evicts itself, never a key that is being throttled.
public final class SignInThrottle: Sendable {
    public let limit: Int
    public let baseDelay: TimeInterval
    public let maxDelay: TimeInterval
    public let capacity: Int
    struct Entry {
        var failures: Int
        var last: Date
    }
    private let table = Mutex<[String: Entry]>([:])
    /// The time when a call gives none (a test's clock, so a back-off can pass without waiting it out).
    private let clock: @Sendable () -> Date

    public init(limit: Int = 5, baseDelay: TimeInterval = 15, maxDelay: TimeInterval = 300, capacity: Int = 10_000,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.limit = max(1, limit)
        self.baseDelay = baseDelay
        self.maxDelay = max(baseDelay, maxDelay)
        self.capacity = max(1, capacity)
        self.clock = clock
    }

    /// Seconds `key` must still wait before its next attempt (0: it may try now).
    public func wait(_ key: String, now: Date? = nil) -> TimeInterval {
        let now = now ?? clock()
        return table.withLock { table in
            guard let entry = table[key] else { return 0 }
            if expired(entry, now: now) {
                table[key] = nil
                return 0
            }
            return max(0, entry.last.addingTimeInterval(delay(after: entry.failures)).timeIntervalSince(now))
        }
    }

    /// Whether `key` may try now.
    public func allows(_ key: String, now: Date? = nil) -> Bool { wait(key, now: now) == 0 }

    /// Records a failed attempt.
    public func failed(_ key: String, now: Date? = nil) {
        let now = now ?? clock()
        table.withLock { table in
            if table[key] == nil, table.count >= capacity { evict(&table, now: now) }
            var entry = table[key] ?? Entry(failures: 0, last: now)
            entry.failures += 1
            entry.last = now
            table[key] = entry
        }
    }

    /// Forgets failures after a successful sign-in.
    public func succeeded(_ key: String) {
        _ = table.withLock { $0.removeValue(forKey: key) }
    }

    /// How many keys are remembered (for tests and metrics).
    public var count: Int { table.withLock { $0.count } }

    /// The wait after `failures` failures: none below the limit, then doubling up to the cap.
    func delay(after failures: Int) -> TimeInterval {
        guard failures >= limit else { return 0 }
        return Backoff(initial: .seconds(baseDelay), maximum: .seconds(maxDelay)).seconds(attempt: failures - limit + 1)
    }

    /// A key is forgotten once its backoff has long passed.
    func expired(_ entry: Entry, now: Date) -> Bool {
        now.timeIntervalSince(entry.last) > max(maxDelay * 2, 600)
    }

    private func evict(_ table: inout [String: Entry], now: Date) {
        // One pass: drop what expired; else the least-failed, then the oldest, so a throttled key survives any number of one-off names.
        var victim: (key: String, entry: Entry)?
        var expiredKeys: [String] = []
        for (key, entry) in table {
            if expired(entry, now: now) {
                expiredKeys.append(key)
            } else if victim == nil || (entry.failures, entry.last) < (victim!.entry.failures, victim!.entry.last) {
                victim = (key, entry)
            }
        }
        if expiredKeys.isEmpty, let victim {
            table[victim.key] = nil
        } else {
            for key in expiredKeys { table[key] = nil }
        }
    }
}
