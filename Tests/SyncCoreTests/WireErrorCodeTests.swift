import SyncCore
import Testing
import TielineCore

/// The hub's error codes and the agent's reading of them come from one list.
@Suite struct WireErrorCodeTests {
    @Test func theCodesBothSidesUseAreTheSharedOnes() {
        #expect(TielineError.Code.unknownEntity == WireErrorCode.unknownEntity.code)
        #expect(TielineError.Code.wireTooLarge.rawValue == "wire_too_large")
        #expect(Set(WireErrorCode.allCases.map(\.rawValue)).count == WireErrorCode.allCases.count, "no code twice")
        // Only failures of the hub (or of the way to it) are worth retrying; a refused request is not.
        #expect(WireErrorCode.allCases.filter(\.isTransient) == [.storageFailure, .internalError, .hubTransport])
        #expect(WireErrorCode(TielineError(.unknownEntity, "x")) == .unknownEntity)
        #expect(WireErrorCode(TielineError(TielineError.Code("something_else"), "x")) == nil)
    }
}

/// The one back-off every retry uses.
@Suite struct BackoffTests {
    @Test func doublesFromTheFirstWaitUpToTheMaximumAndJittersIntoTheUpperHalf() {
        let backoff = Backoff(initial: .milliseconds(500), maximum: .seconds(3))
        #expect((1...5).map { backoff.delay(attempt: $0) } == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(3), .seconds(3)])
        #expect(backoff.delay(attempt: 3, jitter: 0) == .seconds(1))
        #expect(backoff.delay(attempt: 3, jitter: 1) == .seconds(2))
        #expect(backoff.delay(attempt: 10_000) == .seconds(3), "no overflow for huge attempt counts")
        #expect(backoff.seconds(attempt: 2) == 1)
    }
}
