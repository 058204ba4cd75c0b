import Synchronization

/// A coalescing wake-up: any number of rings before the listener looks count as one.
public final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: (id: UInt64, continuation: CheckedContinuation<Void, Never>)?
        var nextID: UInt64 = 0
    }
    private let state = Mutex(State())

    public init() {}

    /// Wakes the listener (now, or the next time it waits).
    public func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter.continuation
            }
            state.rung = true
            return nil
        }
        waiter?.resume()
    }

    /// Waits for a ring or `timeout` (or until the task is cancelled); one listener at a time.
    ///
    /// A race of two child tasks, the ring and the timeout: the first to end cancels the other, and both have ended
    /// when this returns, so no timer outlives its wait; and a wait ended early removes only its own waiter (each
    /// wait has its own id), never a later wait's.
    public func wait(timeout: Duration) async {
        // A ring that came while no one listened answers at once.
        let id = state.withLock { state -> UInt64? in
            if state.rung {
                state.rung = false
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.rung(id: id) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Returns once a ring wakes wait `id` (or a ring came before it was in place), or its task is cancelled.
    private func rung(id: UInt64) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                // Under the lock: a cancellation either finds the waiter in place, or comes first and is seen here.
                let now = state.withLock { state -> Bool in
                    if state.rung {
                        state.rung = false
                        return true
                    }
                    if Task.isCancelled { return true }
                    state.waiter = (id, continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard let waiter = state.waiter, waiter.id == id else { return nil }
                state.waiter = nil
                return waiter.continuation
            }
            waiter?.resume()
        }
    }
}
