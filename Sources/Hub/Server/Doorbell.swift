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

    /// Waits for a ring or `timeout`; one listener at a time. The timer is cancelled with the wait, and a
    /// late timer can never wake a later wait (each wait has its own id).
    public func wait(timeout: Duration) async {
        let timer = Mutex<Task<Void, Never>?>(nil)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let id = state.withLock { state -> UInt64? in
                if state.rung {
                    state.rung = false
                    return nil
                }
                state.nextID += 1
                state.waiter = (state.nextID, continuation)
                return state.nextID
            }
            guard let id else {
                continuation.resume()
                return
            }
            timer.withLock {
                $0 = Task {
                    try? await Task.sleep(for: timeout)
                    let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                        guard let waiter = state.waiter, waiter.id == id else { return nil }
                        state.waiter = nil
                        return waiter.continuation
                    }
                    waiter?.resume()
                }
            }
        }
        timer.withLock { $0?.cancel() }
    }
}
