// Stand-ins for what the copied storage sources use from modules the bench does not build (Crypto, the catalog).
import Foundation
extension TielineError.Code {
    static let invalidTimeframe = Self("invalid_timeframe")
    static let storageFailure = Self("storage_failure")
    static let invalidBatch = Self("invalid_batch")
}
enum SiteToken {
    static func generate() -> String { "tl_" + UUID().uuidString }
    static func hash(_ token: String) -> String { token }
}
struct EntityStub { let dateColumn: String? }
enum EntityCatalog { static func entity(named: String) -> EntityStub? { nil } }
