import Foundation
import Synchronization
import Testing
@testable import Hub

/// The in-process wake-ups: the doorbell of the Procore poll and write-back loops, and the export long-poll's signal.
/// Each wait races its wake-up against its timeout in child tasks, so nothing of a wait outlives it.
/// Set once something happened (read from the test while a task may set it).
final class Flag: Sendable {
    private let value = Atomic(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}

@Suite("Wake-ups: doorbell and export signal", .timeLimit(.minutes(1)))
struct WakeUpTests {
    /// Returns once `condition` holds (checked every 10 ms, for 10 s at most).
    func eventually(_ condition: () -> Bool) async throws {
        for _ in 0..<1_000 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
        #expect(condition())
    }

    @Test func aDoorbellRingWakesTheListenerAndARingWithNoListenerIsKeptForTheNextWait() async throws {
        let bell = Doorbell()
        let clock = ContinuousClock()
        bell.ring()
        bell.ring()
        #expect(await clock.measure { await bell.wait(timeout: .seconds(60)) } < .seconds(40), "the earlier rings answer at once, not after the 60 s timeout")
        let done = Flag()
        let waiter = Task {
            await bell.wait(timeout: .seconds(60))
            done.set()
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(!done.isSet, "two rings count as one")
        bell.ring()
        await waiter.value
        let idle = await clock.measure { await bell.wait(timeout: .milliseconds(200)) }
        #expect(idle >= .milliseconds(150), "nothing rang: waits its timeout (\(idle))")
    }

    @Test func aDoorbellWaitWokenEarlyLeavesNoTimerToEndALaterWait() async throws {
        let bell = Doorbell()
        // Waits ended by a ring long before their 300 ms timeouts.
        for _ in 0..<5 {
            let waiter = Task { await bell.wait(timeout: .milliseconds(300)) }
            try await Task.sleep(for: .milliseconds(20))
            bell.ring()
            await waiter.value
        }
        let done = Flag()
        let later = Task {
            await bell.wait(timeout: .seconds(60))
            done.set()
        }
        // Well past the earlier waits' timeouts: none of them ends this one.
        try await Task.sleep(for: .milliseconds(700))
        #expect(!done.isSet)
        bell.ring()
        await later.value
    }

    @Test func aCancelledDoorbellWaitReturnsAndTheNextRingIsKept() async throws {
        let bell = Doorbell()
        let waiter = Task { await bell.wait(timeout: .seconds(60)) }
        try await Task.sleep(for: .milliseconds(100))
        waiter.cancel()
        await waiter.value
        bell.ring()
        let clock = ContinuousClock()
        #expect(await clock.measure { await bell.wait(timeout: .seconds(60)) } < .seconds(40), "the ring went to no one: kept for this wait")
    }

    @Test func theExportSignalWakesTheSitesWaitersOnly() async throws {
        let signal = ExportSignal()
        let woken = Flag()
        let acme = Task {
            await signal.wait(site: 1, timeout: .seconds(60))
            woken.set()
        }
        let other = Task { await signal.wait(site: 2, timeout: .seconds(60)) }
        try await eventually { signal.waiting(site: 1) == 1 && signal.waiting(site: 2) == 1 }
        signal.notify(site: 1)
        await acme.value
        #expect(woken.isSet)
        #expect(signal.waiting(site: 2) == 1, "the other site's waiter still waits")
        other.cancel()
        await other.value
        #expect(signal.waiting(site: 2) == 0, "a cancelled waiter is gone")
        let clock = ContinuousClock()
        let idle = await clock.measure { await signal.wait(site: 1, timeout: .milliseconds(200)) }
        #expect(idle >= .milliseconds(150), "no notify: waits its timeout (\(idle))")
        #expect(signal.waiting(site: 1) == 0, "a wait that timed out is gone")
    }

    @Test func anExportSignalWaitWokenEarlyLeavesNoTimerToEndALaterWait() async throws {
        let signal = ExportSignal()
        for _ in 0..<5 {
            let waiter = Task { await signal.wait(site: 7, timeout: .milliseconds(300)) }
            try await eventually { signal.waiting(site: 7) == 1 }
            signal.notify(site: 7)
            await waiter.value
        }
        let done = Flag()
        let later = Task {
            await signal.wait(site: 7, timeout: .seconds(60))
            done.set()
        }
        try await eventually { signal.waiting(site: 7) == 1 }
        try await Task.sleep(for: .milliseconds(700))
        #expect(!done.isSet)
        signal.notify(site: 7)
        await later.value
    }

    /// An Accept committed after the long-poll looked at the database but before it started waiting
    /// must still wake it: the waiter is armed before the look.
    @Test func anAcceptBetweenTheLookAndTheWaitIsNotLost() async throws {
        let signal = ExportSignal()
        let looks = Atomic(0)
        // The re-check and the timeout are an hour, beyond the suite's one-minute limit: only the notify can
        // end this wait in time, however slow a loaded machine runs it (a wall-clock bound here once flaked).
        try await signal.waitUntilClaimable(site: 7, timeout: .seconds(3600), recheck: .seconds(3600)) {
            if looks.add(1, ordering: .relaxed).newValue == 1 {
                signal.notify(site: 7)  // lands while this look runs: nothing claimable yet
                return false
            }
            return true
        }
        #expect(looks.load(ordering: .relaxed) == 2, "the second look came from the notify's wake-up")
        #expect(signal.waiting(site: 7) == 0, "no waiter left behind")
    }
}
