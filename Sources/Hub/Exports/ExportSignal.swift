import Foundation
import Synchronization

/// Wakes agents' long-polls when a site's export becomes claimable, within this process.
///
/// Each storage backend also has a cross-process path (SQLite polls briefly, PostgreSQL
/// LISTENs), so an Accept made by another process is seen too; this makes the common case instant.
public final class ExportSignal: Sendable {
    /// A waiter is armed BEFORE its caller looks at the database, so a notify that lands between the
    /// look and the wait is kept (`notified`) instead of lost.
    private struct Waiter {
        let site: Int64
        var continuation: CheckedContinuation<Void, Never>?
        var notified = false
    }

    private let waiters = Mutex<[UInt64: Waiter]>([:])
    private let nextID = Atomic<UInt64>(0)

    public init() {}

    /// Wakes every waiter of the site (an armed one that is not waiting yet returns at once when it does).
    public func notify(site: Int64) {
        let woken = waiters.withLock { waiters -> [CheckedContinuation<Void, Never>] in
            var woken: [CheckedContinuation<Void, Never>] = []
            for (id, waiter) in waiters where waiter.site == site {
                if let continuation = waiter.continuation {
                    waiters.removeValue(forKey: id)
                    woken.append(continuation)
                } else {
                    waiters[id]?.notified = true
                }
            }
            return woken
        }
        for continuation in woken { continuation.resume() }
    }

    /// How many callers wait (or are about to) for the site now (tests act only once one is in place).
    func waiting(site: Int64) -> Int {
        waiters.withLock { $0.values.count { $0.site == site } }
    }

    /// The long-poll both storages answer with: returns once `claimable()` says so, the timeout passes or the
    /// task is cancelled; woken at once by this signal, and looking again every `recheck` (another process's
    /// Accept, a lapsing claim).
    func waitUntilClaimable(site: Int64, timeout: Duration, recheck: Duration, _ claimable: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let ticket = arm(site: site)
            let found: Bool
            do { found = try await claimable() } catch { disarm(ticket); throw error }
            let remaining = deadline - ContinuousClock.now
            if found || remaining <= .zero || Task.isCancelled {
                disarm(ticket)
                return
            }
            await wait(ticket: ticket, timeout: min(remaining, recheck))
        }
    }

    /// Waits until `notify(site:)` or until `timeout` passes, whichever is first (or until the task is cancelled).
    public func wait(site: Int64, timeout: Duration) async {
        await wait(ticket: arm(site: site), timeout: timeout)
    }

    private func arm(site: Int64) -> UInt64 {
        let id = nextID.add(1, ordering: .relaxed).newValue
        waiters.withLock { $0[id] = Waiter(site: site) }
        return id
    }

    private func disarm(_ id: UInt64) {
        _ = waiters.withLock { $0.removeValue(forKey: id) }
    }

    /// A race of two child tasks, the wake-up and the timeout: the first to end cancels the other, and both
    /// have ended when this returns, so no timer outlives its wait.
    private func wait(ticket id: UInt64, timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.notified(id) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        disarm(id)
    }

    /// Returns once waiter `id` is notified (before or during the wait), or its task is cancelled.
    private func notified(_ id: UInt64) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                // Under the lock: a notify or a cancellation either came first and is seen here, or finds the continuation.
                let now = waiters.withLock { waiters -> Bool in
                    guard let waiter = waiters[id], !waiter.notified, !Task.isCancelled else { return true }
                    waiters[id]?.continuation = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            resume(id)
        }
    }

    private func resume(_ id: UInt64) {
        let continuation = waiters.withLock { waiters -> CheckedContinuation<Void, Never>? in
            let continuation = waiters[id]?.continuation
            waiters[id]?.continuation = nil
            return continuation
        }
        continuation?.resume()
    }
}
