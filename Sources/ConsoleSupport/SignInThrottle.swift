import Foundation
import Synchronization

/// Slows password guessing: after `limit` failures for one account within `window`, further
/// attempts for it are refused until the window has passed since the last failure.
public final class SignInThrottle: Sendable {
    public let limit: Int
    public let window: TimeInterval
    private let failures = Mutex<[String: [Date]]>([:])

    public init(limit: Int = 5, window: TimeInterval = 300) {
        self.limit = limit
        self.window = window
    }

    /// Whether `account` may try now.
    public func allows(_ account: String, now: Date = Date()) -> Bool {
        failures.withLock { table in
            let recent = (table[account] ?? []).filter { now.timeIntervalSince($0) < window }
            table[account] = recent.isEmpty ? nil : recent
            return recent.count < limit
        }
    }

    /// Records a failed attempt.
    public func failed(_ account: String, now: Date = Date()) {
        failures.withLock { table in
            // Bounded: one entry per account name tried, and old entries are dropped on the next check.
            if table.count > 10_000 { table.removeAll() }
            table[account, default: []].append(now)
        }
    }

    /// Forgets failures after a successful sign-in.
    public func succeeded(_ account: String) {
        _ = failures.withLock { $0.removeValue(forKey: account) }
    }
}
