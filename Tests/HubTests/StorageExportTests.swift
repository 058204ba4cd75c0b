import Foundation
import Hub
import SyncCore
import Testing
import TielineCore

/// The export queue as `HubStorage` promises it, on every backend.
@Suite(.timeLimit(.minutes(2))) struct StorageExportTests {
    @Test(arguments: Backend.all) func insertsUpdatesAndAuditsExports(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, _ in
            let site = try await StorageFixtures.siteWithRun(storage)
            let first = try await storage.insertExport(StorageFixtures.export(pcco: 41), event: StorageFixtures.received(StorageFixtures.export(pcco: 41)), site: site)
            let second = try await storage.insertExport(StorageFixtures.export(pcco: 42), event: StorageFixtures.received(StorageFixtures.export(pcco: 42)), site: site)
            #expect(first.id > 0 && second.id > first.id)
            #expect(try await storage.export(id: first.id, site: site) == first)
            #expect(try await storage.exportID(pccoID: 42, site: site) == second.id)
            #expect(try await storage.exportID(pccoID: 43, site: site) == nil)

            let duplicate = await #expect(throws: TielineError.self) {
                try await storage.insertExport(StorageFixtures.export(pcco: 41), event: StorageFixtures.received(first), site: site)
            }
            #expect(duplicate?.code == .conflict)
            #expect(duplicate?.message == "PCCO 41 is already in the export queue")

            let accepted = try await storage.updateExport(id: first.id, site: site) { export in
                export.status = .accepted
                export.transactionDate = try CalendarDate(parsing: "2026-01-15")
                return ExportEvent(at: StorageFixtures.now, actor: "alice", action: "accepted")
            }
            #expect(accepted.status == .accepted && accepted.id == first.id)
            #expect(try await storage.export(id: first.id, site: site) == accepted)
            let unchanged = try await storage.updateExport(id: second.id, site: site) { _ in nil }
            #expect(unchanged == second)
            #expect(try await storage.exportEvents(id: first.id, site: site).map(\.action) == ["received", "accepted"])
            #expect(try await storage.exportEvents(id: second.id, site: site).map(\.actor) == ["procore"])

            #expect(try await storage.exports(site: site, statuses: nil, limit: 10).map(\.id) == [second.id, first.id])
            #expect(try await storage.exports(site: site, statuses: [.accepted, .exporting], limit: 10).map(\.id) == [first.id])
            #expect(try await storage.exports(site: site, statuses: [], limit: 10).isEmpty)
            #expect(try await storage.exports(site: site, statuses: nil, limit: 1).map(\.id) == [second.id])

            // A change that throws changes nothing.
            await #expect(throws: TielineError.self) {
                try await storage.updateExport(id: second.id, site: site) { export in
                    export.status = .rejected
                    throw TielineError(.conflict, "not now")
                }
            }
            #expect(try await storage.export(id: second.id, site: site)?.status == .ready)
            #expect(try await storage.exportEvents(id: second.id, site: site).count == 1)
        }
    }

    @Test(arguments: Backend.all) func oneSitesExportsAreInvisibleToAnother(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, _ in
            let acme = try await StorageFixtures.siteWithRun(storage, name: "Acme")
            let other = try await StorageFixtures.siteWithRun(storage, name: "Other Co")
            let export = try await storage.insertExport(StorageFixtures.export(pcco: 7, status: .accepted),
                                                        event: StorageFixtures.received(StorageFixtures.export(pcco: 7)), site: acme)
            #expect(try await storage.export(id: export.id, site: other) == nil)
            #expect(try await storage.claimExport(site: other, agent: "b", now: StorageFixtures.now, lease: 60) == nil)
            let missing = await #expect(throws: TielineError.self) {
                try await storage.updateExport(id: export.id, site: other) { _ in nil }
            }
            #expect(missing?.code == .notFound)
            #expect(missing?.message == "no export \(export.id) in site 'Other Co'; list them with: tieline exports list --status all")
            await #expect(throws: TielineError.self) { try await storage.exportEvents(id: export.id, site: other) }
            // The same PCCO id is another site's own.
            _ = try await storage.insertExport(StorageFixtures.export(pcco: 7), event: StorageFixtures.received(export), site: other)
        }
    }

    @Test(arguments: Backend.all) func claimsOldestFirstOnceAndAgainWhenTheLeaseLapses(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, _ in
            let site = try await StorageFixtures.siteWithRun(storage)
            let ready = try await storage.insertExport(StorageFixtures.export(pcco: 1), event: StorageFixtures.received(StorageFixtures.export(pcco: 1)), site: site)
            let older = try await storage.insertExport(StorageFixtures.export(pcco: 2, status: .accepted),
                                                       event: StorageFixtures.received(StorageFixtures.export(pcco: 2)), site: site)
            let newer = try await storage.insertExport(StorageFixtures.export(pcco: 3, status: .accepted),
                                                       event: StorageFixtures.received(StorageFixtures.export(pcco: 3)), site: site)
            let now = StorageFixtures.now
            let a = try #require(try await storage.claimExport(site: site, agent: "agent-a", now: now, lease: 60))
            #expect(a.id == older.id && a.status == .exporting && a.claimedBy == "agent-a" && a.deliveries == 1)
            #expect(a.claimedUntil == now.addingTimeInterval(60))
            let b = try #require(try await storage.claimExport(site: site, agent: "agent-b", now: now, lease: 60))
            #expect(b.id == newer.id)
            #expect(try await storage.claimExport(site: site, agent: "agent-c", now: now, lease: 60) == nil)
            #expect(try await storage.export(id: ready.id, site: site)?.status == .ready)

            // agent-a died: once its claim lapses the export goes to the next caller, one delivery more.
            let later = now.addingTimeInterval(61)
            let again = try #require(try await storage.claimExport(site: site, agent: "agent-c", now: later, lease: 60))
            #expect(again.id == older.id && again.claimedBy == "agent-c" && again.deliveries == 2)
            let events = try await storage.exportEvents(id: older.id, site: site)
            #expect(events.map(\.detail) == ["PCCO 2", "delivery 1", "delivery 2; the claim of agent-a had lapsed"])
            #expect(events.last?.actor == "agent" && events.last?.action == "claimed")
        }
    }

    @Test(arguments: Backend.all) func waitReturnsAtOnceForAClaimableExportAndOtherwiseAfterTheTimeout(_ backend: Backend) async throws {
        try await TestDatabase.with(backend, recheck: .seconds(60)) { storage, _ in
            let site = try await StorageFixtures.siteWithRun(storage)
            let clock = ContinuousClock()
            let idle = try await clock.measure { try await storage.waitForExports(site: site, timeout: .milliseconds(300)) }
            #expect(idle >= .milliseconds(250) && idle < .seconds(30), "nothing claimable: waits its timeout (\(idle))")
            _ = try await storage.insertExport(StorageFixtures.export(pcco: 5, status: .accepted),
                                               event: StorageFixtures.received(StorageFixtures.export(pcco: 5)), site: site)
            let ready = try await clock.measure { try await storage.waitForExports(site: site, timeout: .seconds(600)) }
            #expect(ready < .seconds(40), "a claimable export answers at once, not after the 60 s re-check (\(ready))")
        }
    }

    @Test(arguments: Backend.all) func waiterInThisProcessIsWokenByAnAccept(_ backend: Backend) async throws {
        // The database is re-checked only every minute here: returning sooner takes the wake-up.
        try await TestDatabase.with(backend, recheck: .seconds(60)) { storage, _ in
            let site = try await StorageFixtures.siteWithRun(storage)
            let export = try await storage.insertExport(StorageFixtures.export(pcco: 6), event: StorageFixtures.received(StorageFixtures.export(pcco: 6)), site: site)
            let waiter = Task { try await storage.waitForExports(site: site, timeout: .seconds(600)) }
            try await Task.sleep(for: .milliseconds(300))  // the waiter is waiting
            let accepted = ContinuousClock.now
            _ = try await storage.updateExport(id: export.id, site: site) { export in
                export.status = .accepted
                return nil
            }
            try await waiter.value
            let woken = ContinuousClock.now - accepted
            #expect(woken < .seconds(40), "woken by the Accept, not by the once-a-minute re-check (\(woken))")
            #expect(try await storage.claimExport(site: site, agent: "a", now: Date(), lease: 60)?.id == export.id)
        }
    }

    @Test(arguments: Backend.all) func writeBacksDueAcrossSites(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, _ in
            let acme = try await StorageFixtures.siteWithRun(storage, name: "Acme")
            let other = try await StorageFixtures.siteWithRun(storage, name: "Other Co")
            let now = StorageFixtures.now
            var due = StorageFixtures.export(pcco: 1, status: .exporting)
            due.writeBack = WriteBackState(purpose: .synced, attempts: 1, lastError: "503", dueAt: now.addingTimeInterval(-5))
            var later = StorageFixtures.export(pcco: 2, status: .exporting)
            later.writeBack = WriteBackState(purpose: .synced, dueAt: now.addingTimeInterval(300))
            var earlier = StorageFixtures.export(pcco: 3, status: .synced)
            earlier.writeBack = WriteBackState(purpose: .rejected, dueAt: now.addingTimeInterval(-50))
            let a = try await storage.insertExport(due, event: StorageFixtures.received(due), site: acme)
            _ = try await storage.insertExport(later, event: StorageFixtures.received(later), site: acme)
            let c = try await storage.insertExport(earlier, event: StorageFixtures.received(earlier), site: other)
            let found = try await storage.writeBacksDue(now: now, limit: 10)
            #expect(found.map(\.1.id) == [c.id, a.id])
            #expect(found.map(\.0.name) == ["Other Co", "Acme"])
            #expect(found.first?.1.writeBack == earlier.writeBack)
            #expect(try await storage.writeBacksDue(now: now, limit: 1).count == 1)
        }
    }
}
