import Agent
import Foundation
import GRDB
import Hub
import Logging
import SageStore
import SageModel
import SyncCore
import Testing
@testable import TielineCLI
import TielineCore

/// Issue 8's proof: two hub processes on one PostgreSQL database, 500 exports accepted across both, one hub
/// stopped midway, and every export written to Sage exactly once. The hubs are two `HubServer`s in this process,
/// each on its own `PostgresHubStorage` pool, each with its own agent, as two machines behind a load balancer.
/// (HubTests' BackendCoverageTests fails CI when the PostgreSQL server is missing, so this is never skipped silently there.)
@Suite(.enabled(if: TestPostgres.server != nil, "needs TIELINE_TEST_POSTGRES_URL (scripts/test starts a PostgreSQL)"))
struct TwoHubsExportTests {
    static let exports = 500

    static var quiet: Logger {
        var logger = Logger(label: "two-hubs")
        logger.logLevel = .critical
        return logger
    }

    /// The demo's PCCO (it fits the sample company) as the n-th of many: its own Procore id and change order number.
    static func pcco(_ n: Int) throws -> ChangeOrderExport {
        var export = try DemoPCCO.export()
        export.intake = .publicAPI
        export.pccoID = 900_000 + n
        export.number = String(format: "T%04d", n)
        export.title = "Two hubs \(n)"
        return export
    }

    /// An agent home connected to `hub` with the company as its only Local Connection.
    static func agentHome(_ folder: URL, hub: HubServer, token: String, companyPath: String) throws -> TielineHome {
        let home = TielineHome(url: folder)
        let store = AgentConfigStore(home: home)
        _ = try store.connect(url: hub.baseURL, site: "acme", token: token)
        _ = try store.addConnection(name: "Sage", sagePath: companyPath)
        _ = try store.applyPCCOPreset(connection: "Sage", strict: false, dryRun: false)
        _ = try store.setSyncSettings(connection: "Sage", type: .deep, timeframe: .beginningOfTime)
        return home
    }

    @Test func fiveHundredExportsAcrossTwoHubsOneStoppedMidwayAreEachWrittenOnce() async throws {
        let server = try #require(TestPostgres.server)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("two-hubs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let companyPath = folder.appendingPathComponent("company.sqlite").path
        let company = try SampleCompanyGenerator.create(at: companyPath, spec: SampleCompanySpec(jobs: 4, transactions: 400, seed: 7))
        let database = try await PostgresScratchDatabase.create(on: server, prefix: "tieline_two_hubs_")
        let storageA = try await PostgresHubStorage(database, logger: Self.quiet)
        let storageB = try await PostgresHubStorage(database, logger: Self.quiet)
        // A short lease: what the stopped hub's agent held goes to the other agent seconds later.
        let configuration = HubConfiguration(exportLease: 3, procore: false)
        // Each storage's pool runs in its hub's ServiceGroup and stops with it.
        let hubA = try await HubServer.start(storage: storageA, port: 0, configuration: configuration, logger: Self.quiet, runStorage: true)
        let hubB = try await HubServer.start(storage: storageB, port: 0, configuration: configuration, logger: Self.quiet, runStorage: true)
        var agents: [Task<Void, Never>] = []
        var hubAStopped = false
        defer { try? FileManager.default.removeItem(at: folder) }

        do {
            let token = try await storageA.addSite("acme")
            let site = try #require(try await storageB.sites().first)
            let homeA = try Self.agentHome(folder.appendingPathComponent("agent-a"), hub: hubA, token: token, companyPath: companyPath)
            let homeB = try Self.agentHome(folder.appendingPathComponent("agent-b"), hub: hubB, token: token, companyPath: companyPath)
            // The mirror the accepts validate against, synced through hub A.
            let config = try AgentConfigStore(home: homeA).load()
            let runner = SyncRunner(state: try AgentState.open(home: homeA), destination: HubClient(url: hubA.baseURL, token: token),
                                    options: SyncOptions(destinationName: "hub A"))
            #expect(try await runner.run(SyncRequest(connection: try config.connection("Sage"))).status == .completed)

            var logger = Logger(label: "two-hubs-agent")
            logger.logLevel = .critical
            for home in [homeA, homeB] {
                let worker = ExportWorker(home: home, wait: 2, logger: logger, retryDelay: .milliseconds(200))
                agents.append(Task { await worker.run(until: StopSignal()) })
            }

            // Accepts alternate between the hubs, eight at a time; halfway, hub A stops (its agent keeps failing to reach it).
            var ids: [Int64] = []
            for half in [0..<Self.exports / 2, Self.exports / 2..<Self.exports] {
                if half.lowerBound > 0 {
                    try await hubA.shutdown()
                    hubAStopped = true
                }
                let hubs = hubAStopped ? [hubB] : [hubA, hubB]
                ids += try await withThrowingTaskGroup(of: Int64.self) { group in
                    var accepted: [Int64] = []
                    for n in half {
                        let queue = hubs[n % hubs.count].queue
                        group.addTask {
                            let received = try await queue.receive(try Self.pcco(n), site: site)
                            return try await queue.accept(id: received.id, site: site, actor: "alice").id
                        }
                        if n - half.lowerBound >= 8, let id = try await group.next() { accepted.append(id) }
                    }
                    for try await id in group { accepted.append(id) }
                    return accepted
                }
            }

            // Hub B's agent finishes everything, including what hub A's agent held when A stopped.
            var synced = 0
            for _ in 0..<1_800 {
                synced = try await storageB.exports(site: site, statuses: [.synced], limit: 1_000).count
                if synced == Self.exports { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(synced == Self.exports)
            let failed = try await storageB.exports(site: site, statuses: [.failed], limit: 1_000)
            #expect(failed.isEmpty, "\(failed.prefix(3).map { $0.error ?? "" })")
            #expect(Set(ids).count == Self.exports)

            // Sage has each PCCO's change order exactly once, with one batch of entries each.
            let perReference = try company.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT Chg_Mgmt_Ref_1 AS reference, COUNT(*) AS n FROM CNC_ACTIVE__CHANGE_ORDER
                    WHERE Chg_Mgmt_Ref_1 IS NOT NULL GROUP BY Chg_Mgmt_Ref_1
                    """).map { (row: Row) -> (String, Int) in (row["reference"], row["n"]) }
            }
            let expected = Set(try (0..<Self.exports).map { procoreReference(pccoID: try Self.pcco($0).pccoID) })
            #expect(Set(perReference.map(\.0)) == expected)
            #expect(perReference.allSatisfy { $0.1 == 1 })
            let entries = try company.read { db in
                try Int.fetchAll(db, sql: """
                    SELECT COUNT(DISTINCT Batch) FROM JCT_UNPOSTED__TRANSACTION WHERE Chg_Mgmt_Ref_1 IS NOT NULL GROUP BY Chg_Mgmt_Ref_1
                    """)
            }
            #expect(entries.count == Self.exports && entries.allSatisfy { $0 == 1 })
        } catch {
            for agent in agents { agent.cancel() }
            for agent in agents { await agent.value }
            if !hubAStopped { try? await hubA.shutdown() }
            try? await hubB.shutdown()
            try? await PostgresScratchDatabase.drop(database, server: server)
            throw error
        }
        for agent in agents { agent.cancel() }
        for agent in agents { await agent.value }
        if !hubAStopped { try? await hubA.shutdown() }
        try? await hubB.shutdown()
        try await PostgresScratchDatabase.drop(database, server: server)
    }
}

/// The PostgreSQL server scripts/test started, if any.
enum TestPostgres {
    static let server: PostgresLocation? = ProcessInfo.processInfo.environment["TIELINE_TEST_POSTGRES_URL"]
        .flatMap { $0.isEmpty ? nil : try? PostgresLocation(url: $0) }
}
