import Foundation
@testable import Hub
import SyncCore
import Testing
import TielineCore

/// Several hub processes on one PostgreSQL database: two storages with their own pools stand for two processes.
@Suite(.enabled(if: Backend.postgresServer != nil, "needs TIELINE_TEST_POSTGRES_URL (scripts/test starts a PostgreSQL)"))
struct PostgresQueueTests {
    /// Two pools on one fresh database, running for `body`; both are stopped and the database dropped afterwards.
    func withTwoHubs(recheck: Duration = .seconds(1), _ body: (PostgresHubStorage, PostgresHubStorage, HubSite) async throws -> Void) async throws {
        let database = try await TestDatabase.make(.postgres)
        guard case .postgres(let location) = database.database else { return }
        do {
            try await PostgresHubStorage.with(location, maxConnections: 10, recheck: recheck, logger: TestDatabase.quietLogger) { a in
                try await PostgresHubStorage.with(location, maxConnections: 10, recheck: recheck, logger: TestDatabase.quietLogger) { b in
                    _ = try await a.addSite("Acme")
                    let site = try #require(try await b.sites().first)
                    try await body(a, b, site)
                }
            }
        } catch {
            await database.drop()
            throw error
        }
        await database.drop()
    }

    @Test func twoHubsClaimingConcurrentlyHandEachExportOutOnce() async throws {
        try await withTwoHubs { a, b, site in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<500 {
                    let storage = n.isMultiple(of: 2) ? a : b
                    group.addTask {
                        let export = StorageFixtures.export(pcco: 1000 + n, status: .accepted)
                        _ = try await storage.insertExport(export, event: StorageFixtures.received(export), site: site)
                    }
                    if n % 16 == 15 { try await group.next() }
                }
                try await group.waitForAll()
            }
            // Eight agents per hub, each claiming until the queue is empty.
            let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for agent in 0..<16 {
                    let storage = agent < 8 ? a : b
                    group.addTask {
                        var mine: [Int64] = []
                        while let export = try await storage.claimExport(site: site, agent: "agent-\(agent)", now: Date(), lease: 600) {
                            mine.append(export.id)
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(claimed.count == 500)
            #expect(Set(claimed).count == 500)
            let exporting = try await a.exports(site: site, statuses: [.exporting], limit: 1000)
            #expect(exporting.count == 500)
            #expect(exporting.allSatisfy { $0.deliveries == 1 })
        }
    }

    @Test func anAcceptInOneHubWakesALongPollInTheOther() async throws {
        // No periodic re-check within the test's time: only the NOTIFY can end the wait early.
        try await withTwoHubs(recheck: .seconds(3600)) { a, b, site in
            let ready = StorageFixtures.export(pcco: 77)
            let export = try await b.insertExport(ready, event: StorageFixtures.received(ready), site: site)
            while !a.listener.isListening { try await Task.sleep(for: .milliseconds(10)) }
            let clock = ContinuousClock()
            let started = clock.now
            let waiter = Task { try await a.waitForExports(site: site, timeout: .seconds(30)) }
            while a.signal.waiting(site: site.id) == 0 { try await Task.sleep(for: .milliseconds(10)) }
            _ = try await b.updateExport(id: export.id, site: site) { export in
                export.status = .accepted
                return ExportEvent(at: Date(), actor: "alice", action: "accepted")
            }
            try await waiter.value
            // Returned long before its 30 s timeout, and what woke it is really there.
            #expect(clock.now - started < .seconds(20))
            #expect(try await a.claimExport(site: site, agent: "agent", now: Date(), lease: 60)?.id == export.id)
        }
    }

    @Test func aBatchRedeliveredToTheOtherHubAtTheSameTimeIsAppliedOnce() async throws {
        try await withTwoHubs { a, b, site in
            let start = SyncRunStart(runID: "run-1", connection: "Main", type: .deep, timeframe: .beginningOfTime, startDate: nil, entities: [])
            _ = try await a.beginRun(start, site: site)
            #expect(try await b.beginRun(start, site: site))
            let batch = Fixtures.batch(rows: 2000)
            async let first = a.applyBatch(batch, site: site)
            async let second = b.applyBatch(batch, site: site)
            let acks = try await [first, second]
            #expect(acks.filter(\.duplicate).count == 1)
            #expect(acks.allSatisfy { $0.applied == 2000 })
            let runs = try await a.runs(site: site, limit: 1)
            #expect(runs.first?.entityCounts.first?.batches == 1)
            #expect(try await b.mirrorRows(entity: "Transaction (JC)", key: [], page: 1, perPage: 1, site: site).total == 2000)
        }
    }

    @Test func migrationsAreRecordedAndReopeningMigratesNothing() async throws {
        let database = try await TestDatabase.make(.postgres)
        try await database.database.withStorage(logger: TestDatabase.quietLogger) { _ in }
        try await database.database.withStorage(logger: TestDatabase.quietLogger) { _ in }
        let versions = try await database.postgres { db in
            var versions: [Int] = []
            for try await v in try await db.query("SELECT version FROM hub_schema_migrations ORDER BY version", logger: TestDatabase.quietLogger).decode(Int.self) {
                versions.append(v)
            }
            return versions
        }
        await database.drop()
        #expect(versions == PostgresHubSchema.migrations.map(\.version))
    }

    @Test func unreachableServerIsNamedWithoutItsPassword() async throws {
        let location = try PostgresLocation(url: "postgres://hub:s3cret@127.0.0.1:1/tieline")
        let error = await #expect(throws: TielineError.self) { try await HubDatabase.postgres(location).open(logger: TestDatabase.quietLogger) }
        #expect(error?.code == .storageFailure)
        #expect(error?.message.contains("postgres://hub:***@127.0.0.1:1/tieline") == true)
        #expect(error?.message.contains("s3cret") == false)
    }
}
