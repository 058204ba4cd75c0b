import Foundation
import Synchronization
import TielineCore

/// How the sync engine waits for a hub that is down or a network that is cut.
public struct RetryPolicy: Sendable {
    /// The first wait; each failure doubles it, up to `maxDelay`.
    public var initialDelay: Duration
    public var maxDelay: Duration
    /// Total waiting allowed for one call before the run is recorded `interrupted`.
    public var maxWait: Duration
    /// A number in 0...1; the wait is scaled into [½, 1] of its nominal length so agents
    /// restarting together do not hammer the hub in step.
    public var jitter: @Sendable () -> Double
    /// Waits out each delay; tests inject a `VirtualClock`, which returns at once.
    public var clock: any TielineClock
    /// Whether a failure may go away by itself; permanent ones fail the run at once.
    public var isTransient: @Sendable (any Error) -> Bool

    public init(initialDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(30), maxWait: Duration = .seconds(300),
                jitter: @escaping @Sendable () -> Double = { Double.random(in: 0...1) },
                clock: any TielineClock = SystemClock(),
                isTransient: @escaping @Sendable (any Error) -> Bool = RetryPolicy.defaultIsTransient) {
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.maxWait = maxWait
        self.jitter = jitter
        self.clock = clock
        self.isTransient = isTransient
    }

    /// The wait before retry number `attempt` (0-based): exponential, capped, jittered.
    public func delay(attempt: Int) -> Duration {
        Backoff(initial: initialDelay, maximum: maxDelay).delay(attempt: attempt + 1, jitter: jitter())
    }

    /// Codes that retrying cannot fix: the hub refused the token or the data (the hub's own
    /// codes, relayed by HubClient). `hub_transport`, `storage_failure` and `internal_error` retry.
    public static let permanentCodes: Set<String> = [
        "unauthorized", "forbidden", "invalid_batch", "invalid_input", "payload_too_large", "unsupported_media_type",
        "wire_malformed", "wire_truncated", "wire_bad_magic", "wire_unsupported_version", "conflict", "not_found",
        "invalid_timeframe", "entity_not_mapped", "unknown_entity", "ambiguous_entity", "module_not_owned",
    ]

    /// Anything but a coded permanent refusal is worth retrying (timeouts, refused connections, 5xx).
    @Sendable public static func defaultIsTransient(_ error: any Error) -> Bool {
        if error is CancellationError { return false }
        if let error = error as? TielineError { return !permanentCodes.contains(error.code.rawValue) }
        return true
    }
}

/// Asks a running sync to stop at the next batch boundary (graceful shutdown, Ctrl-C). Waiting on it is
/// an await, not a poll: `requested()` returns the moment `request()` is called.
public final class StopSignal: Sendable {
    private struct State {
        var requested = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
    }
    private let state = Mutex(State())

    public init() {}

    /// Requests the stop; the current batch is finished and checkpointed first.
    public func request() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.requested else { return [] }
            state.requested = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Whether a stop was requested.
    public var isRequested: Bool { state.withLock { $0.requested } }

    /// Returns once a stop is requested (or the waiting task is cancelled).
    public func requested() async {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.requested || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }

    /// Waits `duration` on `clock`, returning early (false) the moment a stop is requested.
    public func wait(_ duration: Duration, clock: any TielineClock = SystemClock()) async -> Bool {
        if isRequested { return false }
        let slept = await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await clock.sleep(for: duration)) != nil }
            group.addTask {
                await self.requested()
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        return slept && !isRequested
    }
}

/// Why a run stopped before finishing: it is recorded `interrupted` and resumes next time.
struct SyncInterruption: Error, Sendable {
    var message: String
}

extension Duration {
    /// `4s`, `0.5s`, `2m 30s`: short enough for a progress line.
    var shortDescription: String {
        let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
        if seconds < 10 {
            let tenths = (seconds * 10).rounded() / 10
            return tenths == tenths.rounded() ? "\(Int(tenths))s" : "\(tenths)s"
        }
        let whole = Int(seconds.rounded())
        return whole < 60 ? "\(whole)s" : "\(whole / 60)m \(whole % 60)s"
    }
}

extension TielineError.Code {
    public static let hubUnreachable = Self("hub_unreachable")
    public static let syncInterrupted = Self("sync_interrupted")
    public static let syncFailed = Self("sync_failed")
}
