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
