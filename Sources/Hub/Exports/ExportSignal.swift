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

    /// Waits until `notify(site:)` or until `timeout` passes, whichever is first.
    public func wait(site: Int64, timeout: Duration) async {
        let id = nextID.add(1, ordering: .relaxed).newValue
        // The timer ends with the wait: a waiter woken early leaves no task sleeping out its timeout.
        let timer = Mutex<Task<Void, Never>?>(nil)
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                waiters.withLock { $0[id] = Waiter(site: site, continuation: continuation) }
                timer.withLock { $0 = Task { try? await Task.sleep(for: timeout); self.resume(id) } }
            }
        } onCancel: {
            resume(id)
        }
        timer.withLock { $0?.cancel() }
    }

    private func resume(_ id: UInt64) {
        waiters.withLock { $0.removeValue(forKey: id) }?.continuation.resume()
    }
}
