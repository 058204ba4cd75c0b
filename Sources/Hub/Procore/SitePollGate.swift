import Synchronization

/// One poll of a site at a time: a second poll asked for while one runs waits for it, then runs itself (it may
/// have been asked for because of something the running poll already fetched past). Waiters go in order.
final class SitePollGate: Sendable {
    private struct Lane {
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Sites being polled, with the polls waiting their turn.
    private let lanes = Mutex<[Int64: Lane]>([:])

    /// Returns once the caller holds the site; `leave(_:)` hands it on.
    func enter(_ site: Int64) async {
        await withCheckedContinuation { (turn: CheckedContinuation<Void, Never>) in
            let free = lanes.withLock { lanes -> Bool in
                guard lanes[site] != nil else {
                    lanes[site] = Lane()
                    return true
                }
                lanes[site]!.waiters.append(turn)
                return false
            }
            if free { turn.resume() }
        }
    }

    func leave(_ site: Int64) {
        let next = lanes.withLock { lanes -> CheckedContinuation<Void, Never>? in
            guard var lane = lanes[site], !lane.waiters.isEmpty else {
                lanes[site] = nil
                return nil
            }
            let next = lane.waiters.removeFirst()
            lanes[site] = lane
            return next
        }
        next?.resume()
    }

    /// Whether a poll of the site runs or waits.
    func isBusy(_ site: Int64) -> Bool { lanes.withLock { $0[site] != nil } }

    /// Polls waiting for the running one (for tests).
    func waiting(_ site: Int64) -> Int { lanes.withLock { $0[site]?.waiters.count ?? 0 } }
}
