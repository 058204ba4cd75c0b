import Foundation

/// Where the client reads the time and waits, so tests can run rate-limit waits instantly.
public protocol ProcoreClock: Sendable {
    /// The current time.
    func now() -> Date
    /// Waits `seconds` (or pretends to); throws when the task is cancelled.
    func sleep(seconds: Double) async throws
}

/// The real clock: wall time and `Task.sleep`.
public struct SystemProcoreClock: ProcoreClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
    }
}

/// A clock that only moves when slept on: every sleep advances it at once and is recorded.
///
/// Share one between a client and the sandbox and a rate-limit window of an hour passes in
/// microseconds, deterministically.
public final class VirtualProcoreClock: ProcoreClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    private var slept: [Double] = []

    /// Starts at `start` (a fixed instant by default, so runs are repeatable).
    public init(start: Date = Date(timeIntervalSince1970: 1_767_225_600)) { current = start }

    public func now() -> Date { lock.withLock { current } }

    public func sleep(seconds: Double) async throws {
        try Task.checkCancellation()
        lock.withLock {
            slept.append(seconds)
            if seconds > 0 { current = current.addingTimeInterval(seconds) }
        }
        await Task.yield()
    }

    /// Moves the clock forward without recording a sleep.
    public func advance(seconds: Double) { lock.withLock { current = current.addingTimeInterval(seconds) } }

    /// Every sleep so far, in seconds, in order.
    public var sleeps: [Double] { lock.withLock { slept } }
}
