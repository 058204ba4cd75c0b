import Foundation
import Logging
import Procore
import ProcoreSandbox
import Testing
import TielineCore

/// Keeps every log line, at every level, for inspection.
final class CapturingLogHandler: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var captured: [String] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        lock.withLock { captured.append("\(event.message) \(all)") }
    }

    var lines: [String] { lock.withLock { captured } }
}

@Suite("Secrets stay out of logs; tokens are shared")
struct SecretsAndConcurrencyTests {
    @Test("neither the client secret nor any token appears in logs or errors")
    func noSecretsInLogs() async throws {
        let handler = CapturingLogHandler()
        let clock = VirtualClock()
        var config = SandboxConfiguration()
        config.clock = clock
        config.clientSecret = "s3cret-value-that-must-not-leak"
        let sandbox = try await ProcoreSandbox.start(config)
        do {
            try await exercise(sandbox, config: config, clock: clock, handler: handler)
        } catch {
            await sandbox.shutdown()
            throw error
        }
        await sandbox.shutdown()
    }

    /// Drives auth, faults, polling, ERP requests and a refused secret through a capturing logger.
    func exercise(_ sandbox: ProcoreSandbox, config: SandboxConfiguration, clock: VirtualClock,
                  handler: CapturingLogHandler) async throws {
        let logger = Logger(label: "capture") { _ in handler }
        let client = ProcoreClient(configuration: sandbox.clientConfiguration(), clock: clock, logger: logger, jitter: { 0 })
        try await sandbox.importSampleJobs(1, client: client)
        var faults = SandboxFaults()
        faults.rateLimitBurst = 1
        faults.dropBurst = 1
        sandbox.setFaults(faults)
        let intake = ProcoreIntake(client: client)
        try sandbox.createApprovedPCCO()
        _ = try await intake.pendingExports(since: Date(timeIntervalSince1970: 0))
        let token = try await client.accessToken()
        sandbox.expireTokens()
        _ = try await intake.fetchERPRequests()

        var bad = sandbox.clientConfiguration()
        bad.clientSecret = ProcoreSecret("wrong-\(config.clientSecret)")
        let badClient = ProcoreClient(configuration: bad, clock: clock, logger: logger)
        var authError = ""
        do { _ = try await badClient.getJSON("/rest/v1.0/projects", query: Harness.companyQuery) } catch { authError = "\(error)" }

        let text = handler.lines.joined(separator: "\n") + authError + "\(token)" + "\(bad)"
        #expect(!handler.lines.isEmpty)
        #expect(!text.contains(config.clientSecret))
        #expect(!text.contains(token.revealed))
        #expect(!text.contains("sbx-"))
    }

    @Test("concurrent calls share one token fetch")
    func singleFlightToken() async throws {
        try await Harness.with { h in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<12 {
                    group.addTask { _ = try await h.client.getJSON("/rest/v1.0/projects", query: Harness.companyQuery) }
                }
                try await group.waitForAll()
            }
            #expect(h.sandbox.issuedTokenCount == 1)
            #expect(h.sandbox.requestCount == 12)
        }
    }

    @Test("unlink and reset write-back: origin ids cleared, request detail closed")
    func unlinkWriteBack() async throws {
        try await Harness.with { h in
            try await h.sandbox.importSampleJobs(1, client: h.client)
            let imported = h.sandbox.lastERPRequestID
            let pcco = try h.sandbox.createApprovedPCCO()
            let intake = ProcoreIntake(client: h.client)
            guard case .createChangeOrder(let export)? = try await intake.fetchERPRequests(after: imported).first?.event else {
                Issue.record("no create event")
                return
            }
            try await intake.reportSynced(export, keys: .standard(for: export))
            #expect(h.sandbox.changeOrders.first { $0.id == pcco.id }?.originID != nil)
            try await intake.markUnsynced(pccoID: pcco.id, lineItemIDs: pcco.lines.map(\.id))
            let after = try #require(h.sandbox.changeOrders.first { $0.id == pcco.id })
            #expect(after.originID == nil)
            #expect(after.lines.allSatisfy { $0.originID == nil })
            guard case .erpRequest(let detailID) = export.intake else { return }
            try await intake.closeRequestDetail(detailID, success: true, messages: ["Unlinked"])
            #expect(h.sandbox.requestDetail(detailID)?.messages == ["Unlinked"])
        }
    }
}
