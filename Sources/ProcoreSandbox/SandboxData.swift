import Foundation
import Procore
import TielineCore

/// Everything the sandbox holds; mutated only under `SandboxStore`'s lock.
struct SandboxData: Sendable {
    var companyID: Int
    var companyName = "Tieline Sandbox Company"
    /// The user id `/rest/v1.0/me` answers for the service account.
    var serviceAccountID = 7_001
    var nextID = 1000
    var projects: [SandboxProject] = []
    var costCodes: [SandboxCostCode] = []
    var lineItemTypes: [SandboxLineItemType] = []
    var contracts: [SandboxPrimeContract] = []
    /// ERP Staged Records, waiting on "Ready to Import" or imported.
    var stagedRecords: [SandboxStagedRecord] = []
    var pccos: [SandboxPCCO] = []
    var erpRequests: [SandboxERPRequest] = []
    var requestDetails: [Int: SandboxRequestDetail] = [:]
    var externalUpdates: [SandboxExternalUpdate] = []
    var tokens: [String: Date] = [:]
    /// Refresh tokens not yet used.
    var refreshTokens: Set<String> = []
    var rng: SeededRandom
    var faults = SandboxFaults()
    /// Webhook hooks (with their triggers) and every delivery made to them.
    var hooks: [SandboxHook] = []
    var deliveries: [SandboxDelivery] = []
    /// Deliveries waiting to be sent (drained by `SandboxStore` after each change).
    var outbox: [SandboxOutgoing] = []
    var rateWindowStart: Date?
    var rateUsed = 0
    var requestCount = 0
    var rateLimitedCount = 0
    var spikeWindowStart: Date?
    var spikeUsed = 0
    var spikeLimitedCount = 0
    var requestLog: [String] = []
    /// Every list page answered 200, in order.
    var pagesServed: [SandboxServedPage] = []

    init(companyID: Int, seed: UInt64) {
        self.companyID = companyID
        self.rng = SeededRandom(seed: seed)
    }

    mutating func newID() -> Int {
        nextID += 1
        return nextID
    }

    /// A deterministic UUID-shaped origin id.
    mutating func newOriginID() -> String {
        let a = rng.next(), b = rng.next()
        let hex = String(format: "%016llx%016llx", a, b)
        let c = Array(hex)
        return "\(String(c[0..<8]))-\(String(c[8..<12]))-4\(String(c[13..<16]))-8\(String(c[17..<20]))-\(String(c[20..<32]))"
    }

    func costCode(_ id: Int) -> SandboxCostCode? { costCodes.first { $0.id == id } }
    func lineItemType(_ id: Int) -> SandboxLineItemType? { lineItemTypes.first { $0.id == id } }
    func project(_ id: Int) -> SandboxProject? { projects.first { $0.id == id } }
    func contract(_ id: Int) -> SandboxPrimeContract? { contracts.first { $0.id == id } }

    /// The line item type with `code`, created on first use.
    mutating func lineItemType(code: String, name: String) -> Int {
        if let t = lineItemTypes.first(where: { $0.code == code }) { return t.id }
        let id = newID()
        lineItemTypes.append(SandboxLineItemType(id: id, code: code, name: name))
        return id
    }

    /// The project's cost code with `fullCode`, created on first use.
    mutating func costCode(projectID: Int, fullCode: String, name: String) -> Int {
        if let c = costCodes.first(where: { $0.projectID == projectID && $0.fullCode == fullCode }) { return c.id }
        let id = newID()
        costCodes.append(SandboxCostCode(id: id, projectID: projectID, fullCode: fullCode, name: name))
        return id
    }
}

/// The lock around `SandboxData`; Hummingbird handlers run concurrently.
final class SandboxStore: @unchecked Sendable {
    private let lock = NSLock()
    private var data: SandboxData

    init(_ data: SandboxData) { self.data = data }

    /// Sends webhook deliveries; set once when the sandbox starts.
    var deliver: (@Sendable ([SandboxOutgoing]) -> Void)?

    func with<T, E: Error>(_ body: (inout SandboxData) throws(E) -> T) throws(E) -> T {
        lock.lock()
        let result: Result<T, E> = Result { () throws(E) -> T in try body(&data) }
        let deliveries = data.outbox
        if !deliveries.isEmpty { data.outbox = [] }
        let deliver = self.deliver
        lock.unlock()
        // Sent outside the lock: the receiver may call back into the sandbox at once.
        if !deliveries.isEmpty { deliver?(deliveries) }
        return try result.get()
    }
}
