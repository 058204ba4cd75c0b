import Foundation
@testable import Hub
import Synchronization
import Testing
import TielineCore

/// #14: the staging history the console shows, and one poll of a site at a time.
@Suite struct StagingHistoryTests {
    @Test(arguments: Backend.all) func theHistoryKeepsTheNewestEntriesPerSiteWithTheirRecords(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, _ in
            let acme = try await StorageFixtures.siteWithRun(storage)
            let globex = try await StorageFixtures.siteWithRun(storage, name: "Globex")
            #expect(try await storage.stagingHistory(site: acme, limit: 10).isEmpty)
            for n in 1...12 {
                var entry = ProcoreStagingEntry(at: StorageFixtures.now.addingTimeInterval(Double(n)), event: n % 2 == 0 ? "sync_jobs" : "sync_prime_contracts",
                                                summary: "staging \(n)", failed: n == 12)
                entry.staged = n
                entry.changes = [.init(action: "refused", itemType: "prime_contract", originCode: "25-\(n)", originID: "row-\(n)", note: "no project")]
                entry.moreChanges = 3
                try await storage.recordStaging(entry, keep: 10, site: acme)
            }
            try await storage.recordStaging(ProcoreStagingEntry(at: StorageFixtures.now, event: "sync_jobs", summary: "globex's", failed: false),
                                            keep: 10, site: globex)
            let history = try await storage.stagingHistory(site: acme, limit: 10)
            #expect(history.map(\.summary) == (3...12).reversed().map { "staging \($0)" }, "the newest ten, newest first")
            let newest = try #require(history.first)
            #expect(newest.failed && newest.staged == 12 && newest.moreChanges == 3 && newest.event == "sync_jobs")
            #expect(newest.at == StorageFixtures.now.addingTimeInterval(12))
            #expect(newest.changes == [.init(action: "refused", itemType: "prime_contract", originCode: "25-12", originID: "row-12", note: "no project")])
            #expect(try await storage.stagingHistory(site: acme, limit: 2).count == 2)
            #expect(try await storage.stagingHistory(site: globex, limit: 10).map(\.summary) == ["globex's"], "per site")
        }
    }

    @Test func aSecondPollOfASiteWaitsForTheRunningOneThenRuns() async throws {
        let gate = SitePollGate()
        await gate.enter(7)
        #expect(gate.isBusy(7) && !gate.isBusy(8))
        await gate.enter(8)  // another site is not held up
        gate.leave(8)
        let order = Mutex<[String]>([])
        let second = Task {
            await gate.enter(7)
            order.withLock { $0.append("second polls") }
            gate.leave(7)
        }
        while gate.waiting(7) == 0 { await Task.yield() }
        order.withLock { $0.append("first ends") }
        gate.leave(7)
        await second.value
        #expect(order.withLock { $0 } == ["first ends", "second polls"])
        #expect(!gate.isBusy(7), "free once the last poll left")
    }
}
