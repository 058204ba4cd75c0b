import Foundation
import Hub
import SyncCore
import Testing
import TielineCore

/// One approval where Procore puts it, Sage as the judge of what exists, and honest intake.
@Suite struct ExportApprovalTests {
    func withQueue(_ backend: Backend, linked: Bool = false, _ body: (ExportQueueTests.Setup) async throws -> Void) async throws {
        try await ExportQueueTests().withQueue(backend) { s in
            if linked {
                try await s.storage.linkProcore(ProcoreLink(baseURL: "http://127.0.0.1:9", companyID: 1, clientID: "c", sealedSecret: Data(),
                                                            style: .erpRequests, pollSeconds: 60), site: "acme")
            }
            try await body(s)
        }
    }

    /// A PCCO whose markup goes to a cost code only Sage's masters hold (no synced row mentions it).
    static func sageOnlyMarkup() -> ChangeOrderExport {
        var export = ExportFixtures.pcco()
        export.lines[0].markups[0].costCode = "01-950"
        return export
    }

    @Test(arguments: Backend.all) func approvedInProcoreGoesStraightToTheAgentWithProcoresDate(_ backend: Backend) async throws {
        try await withQueue(backend) { s in
            let record = try await s.queue.receive(ExportFixtures.pcco(), site: s.site, approvedInProcore: true)
            #expect(record.status == .accepted)
            #expect(record.transactionDate?.description == "2026-11-20")
            let events = try await s.storage.exportEvents(id: record.id, site: s.site)
            #expect(events.map(\.action) == ["received"])
            #expect(events[0].detail?.contains("approved in Procore") == true)
            // No Accept in the hub: the agent's long-poll has it at once.
            let handed = try await s.queue.next(site: s.site, agent: "a1", wait: .zero)
            #expect(handed?.id == record.id)
            #expect(handed?.check == false)
            await #expect(throws: TielineError.self) { try await s.queue.accept(id: record.id, site: s.site, actor: "alice") }
        }
    }

    @Test(arguments: Backend.all) func approvedInProcoreButRefusedFailsBackToProcoreWithTheReasons(_ backend: Backend) async throws {
        try await withQueue(backend, linked: true) { s in
            let record = try await s.queue.receive(ExportFixtures.pcco(title: "Added storm drain along the north lot"), site: s.site,
                                                   approvedInProcore: true)
            #expect(record.status == .failed)
            #expect(record.error?.contains("PCCO title 'Added storm drain along the north lot' is 37 characters") == true, "\(record.error ?? "")")
            // Procore's request detail is closed as failed with that text, so the user sees why.
            #expect(record.writeBack?.purpose == .failed)
            #expect(try await s.queue.next(site: s.site, agent: "a1", wait: .zero) == nil)
        }
    }

    @Test(arguments: Backend.all) func whatTheMirrorCannotDecideIsAskedOfSageThenReady(_ backend: Backend) async throws {
        try await withQueue(backend) { s in
            let record = try await s.queue.receive(Self.sageOnlyMarkup(), site: s.site)
            #expect(record.status == .checking)
            #expect(record.status.label == "Checking with Sage")
            // An agent that does not check (an older one) is never handed a check to write.
            #expect(try await s.queue.next(site: s.site, agent: "old", wait: .zero) == nil)
            let checks = try await s.queue.next(site: s.site, agent: "a1", max: 4, wait: .zero, checks: true)
            #expect(checks.map(\.id) == [record.id])
            #expect(checks.first?.check == true)
            // Held by a1 until its lease lapses: no second agent checks it meanwhile.
            #expect(try await s.queue.next(site: s.site, agent: "a2", max: 4, wait: .zero, checks: true).isEmpty)
            // Sage holds the cost code: Ready to Export, and Accept is allowed although the mirror still does not know it.
            let checked = try await s.queue.recordCheck(id: record.id, site: s.site, agent: "a1", problems: [])
            #expect(checked.status == .ready)
            #expect(checked.problems.isEmpty)
            #expect(checked.sageCheckedAt != nil)
            let accepted = try await s.queue.accept(id: record.id, site: s.site, actor: "alice")
            #expect(accepted.status == .accepted)
            #expect(try await s.storage.exportEvents(id: record.id, site: s.site).map(\.action) == ["received", "checking", "checked", "accepted"])
        }
    }

    @Test(arguments: Backend.all) func sagesCheckDecidesForAPCCOApprovedInProcore(_ backend: Backend) async throws {
        try await withQueue(backend, linked: true) { s in
            let good = try await s.queue.receive(Self.sageOnlyMarkup(), site: s.site, approvedInProcore: true)
            #expect(good.status == .checking)
            _ = try await s.queue.next(site: s.site, agent: "a1", max: 4, wait: .zero, checks: true)
            #expect(try await s.queue.recordCheck(id: good.id, site: s.site, agent: "a1", problems: []).status == .accepted)

            var missing = Self.sageOnlyMarkup()
            missing.pccoID = 7002
            missing.number = "008"
            let bad = try await s.queue.receive(missing, site: s.site, approvedInProcore: true)
            let verdict = ValidationProblem(line: 1, field: "lines[1].markups[1].costCode", message: "line 1 (id 1, Storm drain): markup goes nowhere",
                                            kind: .missing)
            _ = try await s.queue.next(site: s.site, agent: "a1", max: 4, wait: .zero, checks: true)
            let failed = try await s.queue.recordCheck(id: bad.id, site: s.site, agent: "a1", problems: [verdict])
            #expect(failed.status == .failed)
            #expect(failed.error?.contains("markup goes nowhere") == true)
            #expect(failed.writeBack?.purpose == .failed)
        }
    }

    @Test(arguments: Backend.all) func aDeliveryForASyncedPCCOSaysItWasIgnoredAndShowsChangesAsDrift(_ backend: Backend) async throws {
        try await withQueue(backend) { s in
            let export = ExportFixtures.pcco()
            let record = try await s.queue.receive(export, site: s.site, approvedInProcore: true)
            _ = try await s.queue.next(site: s.site, agent: "a", wait: .zero)
            let synced = try await s.queue.recordOutcome(id: record.id, site: s.site, agent: "a", outcome: ExportOutcome(written: ExportFixtures.written(export)))
            #expect(synced.status == .synced)

            let again = try await s.queue.deliver(export, site: s.site, approvedInProcore: true)
            #expect(again.ignored == "PCCO 007 is already Synced; this delivery was ignored")
            #expect(again.record.status == .synced)

            var changed = export
            changed.title = "Storm drain, revised"
            changed.lines[1].amount = Money(cents: 300_000)
            let drifted = try await s.queue.deliver(changed, site: s.site, approvedInProcore: true)
            #expect(drifted.ignored?.hasPrefix("PCCO 007 is already Synced; this delivery was ignored (it differs") == true)
            #expect(drifted.record.procoreDrift == ["title 'Added storm drain' → 'Storm drain, revised'", "total 12500.50 → 13000.00",
                                                    "line 2 (id 2, Labour): amount 2500.50 → 3000.00"])
            // Sage keeps what was written, and the queue keeps what was exported.
            #expect(drifted.record.export == export)
            #expect(drifted.record.result == synced.result)
        }
    }
}
