import Foundation
import Synchronization

/// Wakes agents' long-polls when a site's export becomes claimable, within this process.
///
/// Each storage backend also has a cross-process path (SQLite polls briefly, PostgreSQL
/// LISTENs), so an Accept made by another process is seen too; this makes the common case instant.
public final class ExportSignal: Sendable {
    private struct Waiter {
        let site: Int64
        let continuation: CheckedContinuation<Void, Never>
    }

    private let waiters = Mutex<[UInt64: Waiter]>([:])
    private let nextID = Atomic<UInt64>(0)

    public init() {}

    /// Wakes every waiter of the site.
    public func notify(site: Int64) {
        let woken = waiters.withLock { waiters -> [CheckedContinuation<Void, Never>] in
            let ids = waiters.filter { $0.value.site == site }.map(\.key)
            return ids.compactMap { waiters.removeValue(forKey: $0)?.continuation }
        }
        for continuation in woken { continuation.resume() }
    }

    /// How many callers wait for the site now (tests use it to act only once a waiter is in place).
    func waiting(site: Int64) -> Int {
        waiters.withLock { $0.values.count { $0.site == site } }
    }

    /// The long-poll both storages answer with: returns once `claimable()` says so, the timeout passes or the
    /// task is cancelled; woken at once by this signal, and looking again every `recheck` (another process's
    /// Accept, a lapsing claim).
    func waitUntilClaimable(site: Int64, timeout: Duration, recheck: Duration, _ claimable: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let found = try await claimable()
            let remaining = deadline - ContinuousClock.now
            if found || remaining <= .zero || Task.isCancelled { return }
            await wait(site: site, timeout: min(remaining, recheck))
        }
    }

    /// Waits until `notify(site:)` or until `timeout` passes, whichever is first (or until the task is cancelled).
    ///
    /// A race of two child tasks, the wake-up and the timeout: the first to end cancels the other, and both have
    /// ended when this returns, so no timer outlives its wait.
    public func wait(site: Int64, timeout: Duration) async {
        let id = nextID.add(1, ordering: .relaxed).newValue
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.notified(site: site, id: id) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Returns once `notify(site:)` wakes waiter `id`, or its task is cancelled.
    private func notified(site: Int64, id: UInt64) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                // Under the lock: a cancellation either finds the waiter in place, or comes first and is seen here.
                let cancelled = waiters.withLock { waiters -> Bool in
                    if Task.isCancelled { return true }
                    waiters[id] = Waiter(site: site, continuation: continuation)
                    return false
                }
                if cancelled { continuation.resume() }
            }
        } onCancel: {
            resume(id)
        }
    }

    private func resume(_ id: UInt64) {
        waiters.withLock { $0.removeValue(forKey: id) }?.continuation.resume()
    }
}
