import Foundation
import Synchronization

/// The one clock Tieline reads the time from and waits on: the Procore client's rate-limit and retry waits,
/// the sandbox's token and rate-limit windows, and the agent's sync retries and waits between cycles.
/// Tests inject a `VirtualClock` so that waits cost no real time.
public protocol TielineClock: Sendable {
    /// The current time.
    func now() -> Date
    /// Waits `duration` (or pretends to); throws when the task is cancelled. A wait of zero or less returns at once.
    func sleep(for duration: Duration) async throws
}

/// The real clock: wall time and `Task.sleep`.
public struct SystemClock: TielineClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(for duration: Duration) async throws {
        guard duration > .zero else { return }
        try await Task.sleep(for: duration)
    }
}

/// A clock that only moves when slept on: every sleep advances it at once and is recorded.
///
/// Share one between a Procore client and the sandbox and a rate-limit window of an hour passes in
/// microseconds, deterministically; give one to the agent's retry policy and its back-off costs nothing.
public final class VirtualClock: TielineClock {
    private let state: Mutex<(current: Date, slept: [Duration])>

    /// Starts at `start` (a fixed instant by default, so runs are repeatable).
    public init(start: Date = Date(timeIntervalSince1970: 1_767_225_600)) { state = Mutex((start, [])) }

    public func now() -> Date { state.withLock { $0.current } }

    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        state.withLock { state in
            state.slept.append(duration)
            if duration > .zero { state.current = state.current.addingTimeInterval(duration.timeInterval) }
        }
        await Task.yield()
    }

    /// Moves the clock forward without recording a sleep.
    public func advance(by duration: Duration) { state.withLock { $0.current = $0.current.addingTimeInterval(duration.timeInterval) } }

    /// Every sleep so far, in order.
    public var sleeps: [Duration] { state.withLock { $0.slept } }

    /// All sleeps so far, added up.
    public var totalSlept: Duration { sleeps.reduce(.zero, +) }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval` (what `Date` arithmetic takes).
    public var timeInterval: TimeInterval { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
