import Agent
import Foundation
@testable import Hub
import SyncCore
import Testing
import TielineCore

/// Checks with Sage over the agent's long-poll: handed out on the wake-up, and a Sage that cannot be read is no answer.
@Suite("Checking with Sage", .timeLimit(.minutes(2)))
struct ExportCheckTests {
    /// The long-poll's in-process signal of a storage (internal, so the test acts only once the poll waits).
    static func signal(_ storage: any HubStorage) throws -> ExportSignal {
        if let sqlite = storage as? SQLiteHubStorage { return sqlite.signal }
        return try #require((storage as? PostgresHubStorage)?.signal)
    }

    /// The database is re-checked, and the poll's slice ends, only once a minute: within the 30 s the test allows,
    /// the poll can return the check only through the wake-up the PCCO entering Checking with Sage rings.
    @Test(arguments: Backend.all) func aPCCOEnteringCheckingWithSageIsHandedToTheWaitingPollOnTheWakeUp(_ backend: Backend) async throws {
        try await TestDatabase.with(backend, recheck: .seconds(60)) { storage, _ in
            let site = try await ExportFixtures.mirroredSite(storage).site
            var queue = ExportQueue(storage: storage)
            queue.pollSlice = .seconds(60)
            let poll = Task { [queue] in try await queue.next(site: site, agent: "agent-1", max: 4, wait: .seconds(600), checks: true) }
            let signal = try Self.signal(storage)
            while signal.waiting(site: site.id) == 0 { try await Task.sleep(for: .milliseconds(5)) }
            // Contract 55-555 is not in the mirror: only Sage can say whether it exists.
            let record = try await queue.receive(ExportFixtures.pcco(contract: "55-555"), site: site, approvedInProcore: true)
            #expect(record.status == .checking)
            // The poll's answer, or nil if 30 s pass first (only a missed wake-up takes that long).
            let answer = try await withThrowingTaskGroup(of: [ExportAssignment]?.self) { group in
                group.addTask { try await poll.value }
                group.addTask {
                    try await Task.sleep(for: .seconds(30))
                    poll.cancel()
                    return nil
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
            poll.cancel()
            let handed = try #require(answer, "30 s passed: the check did not wake the poll")
            #expect(handed.map(\.id) == [record.id])
            #expect(handed.first?.check == true)
        }
    }

    @Test(arguments: Backend.all) func aPollThatTakesNoChecksIsNotHandedOne(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, _ in
            let site = try await ExportFixtures.mirroredSite(storage).site
            let queue = ExportQueue(storage: storage)
            let record = try await queue.receive(ExportFixtures.pcco(contract: "55-555"), site: site)
            #expect(record.status == .checking)
            #expect(try await queue.next(site: site, agent: "old-agent", max: 4, wait: .milliseconds(50)).isEmpty)
            #expect(try await queue.next(site: site, agent: "agent-1", max: 4, wait: .zero, checks: true).map(\.id) == [record.id])
        }
    }

    /// A temporary Sage outage during a check of a PCCO approved in Procore: no verdict, so it stays
    /// Checking with Sage (nothing is failed back to Procore) and the check is handed out again later.
    @Test(arguments: Backend.all) func aCheckSageCouldNotReadIsAskedAgainLaterNotFailed(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { h in
            let (site, token) = try await ExportFixtures.mirroredSite(h.storage)
            let queue = h.hub.queue
            let record = try await queue.receive(ExportFixtures.pcco(contract: "55-555"), site: site, approvedInProcore: true)
            #expect(record.status == .checking)
            let client = HubClient(url: h.hub.baseURL, token: token)
            let handed = try await client.nextExports(agent: "agent-1", max: 4, wait: 0, checks: true)
            #expect(handed.map(\.id) == [record.id])

            let status = try await client.reportCheck(id: record.id, agent: "agent-1", check: SageCheck(problems: [], unreadable: "database is locked"))
            #expect(status == "checking")
            let after = try await queue.record(id: record.id, site: site)
            #expect(after.status == .checking)
            #expect(after.error == nil && after.writeBack == nil && after.sageCheckedAt == nil)
            #expect(after.problems == record.problems, "the mirror's problems stay; Sage has not answered")
            let event = try #require(try await h.storage.exportEvents(id: record.id, site: site).last)
            #expect(event.action == "not checked")
            #expect(event.detail == "Sage could not be read: database is locked; asking again in 30 s")

            // Not at once (the outage is waited out)...
            #expect(try await client.nextExports(agent: "agent-1", max: 4, wait: 0, checks: true).isEmpty)
            // ...but once the retry delay has passed.
            let later = Date().addingTimeInterval(queue.checkRetry + 1)
            let again = try await h.storage.claimExports(site: site, agent: "agent-1", now: later, lease: 60, max: 4, purpose: .check)
            #expect(again.map(\.id) == [record.id])
            // Sage's real answer then settles it: approved in Procore and everything exists, so it goes to be written.
            #expect(try await client.reportCheck(id: record.id, agent: "agent-1", check: SageCheck(problems: [])) == "accepted")
        }
    }
}

/// A written batch is reported in one request and one hub transaction (`POST /v1/exports/results`).
@Suite struct ExportBatchReportTests {
    @Test(arguments: Backend.all) func aBatchOfOutcomesIsRecordedAtOnceAndUnknownIDsAreLeftOut(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { h in
            let (site, token) = try await ExportFixtures.mirroredSite(h.storage)
            let queue = h.hub.queue
            var ids: [Int64] = []
            for (i, number) in ["101", "102", "103"].enumerated() {
                let record = try await queue.receive(ExportFixtures.pcco(id: 8000 + i, number: number), site: site)
                ids.append(try await queue.accept(id: record.id, site: site, actor: "approver").id)
            }
            let client = HubClient(url: h.hub.baseURL, token: token)
            let handed = try await client.nextExports(agent: "agent-1", max: 10, wait: 0)
            #expect(handed.map(\.id) == ids)
            let outcomes: [(id: Int64, outcome: ExportOutcome)] = [
                (ids[0], ExportOutcome(written: ExportFixtures.written(handed[0].export))),
                (ids[1], ExportOutcome(errorCode: "sage_refused", errorMessage: "contract 24-118 is closed")),
                (ids[2], ExportOutcome(written: ExportFixtures.written(handed[2].export))),
                (999_999, ExportOutcome(errorCode: "sage_refused", errorMessage: "not this site's")),
            ]
            let statuses = try await client.reportExports(outcomes, agent: "agent-1")
            #expect(statuses == [ids[0]: "synced", ids[1]: "failed", ids[2]: "synced"])
            #expect(try await queue.record(id: ids[1], site: site).error == "contract 24-118 is closed")
            for id in ids {
                let events = try await h.storage.exportEvents(id: id, site: site).map(\.action)
                #expect(events.last == (id == ids[1] ? "failed" : "written"))
            }
            // Reported again (a retry after a lost answer): settled exports change nothing and record nothing.
            #expect(try await client.reportExports(Array(outcomes.prefix(1)), agent: "agent-1") == [ids[0]: "synced"])
            #expect(try await h.storage.exportEvents(id: ids[0], site: site).filter { $0.action == "written" }.count == 1)
        }
    }

    @Test func aReportTheHubCannotTakeIsRefusedWhole() async throws {
        try await HubHarness.with(.sqlite) { h in
            let token = try await h.storage.addSite("acme")
            let client = HubClient(url: h.hub.baseURL, token: token)
            let neither = ExportOutcome(errorCode: "x", errorMessage: "y")
            var both = neither
            both.written = ExportFixtures.written(ExportFixtures.pcco())
            let mixed = try await #require(throws: TielineError.self) {
                try await client.reportExports([(1, neither), (2, both)], agent: "agent-1")
            }
            #expect(mixed.message.contains("(export 2) carries either 'written' or 'errorCode'/'errorMessage'"))
            let tooMany = try await #require(throws: TielineError.self) {
                try await client.reportExports((1...101).map { (Int64($0), neither) }, agent: "agent-1")
            }
            #expect(tooMany.message.contains("1 to 100 outcomes, not 101"))
        }
    }
}

/// Validation's answers from the mirror are kept briefly per contract (a burst of Accepts asks the same), and
/// forgotten as soon as a batch changes the site's mirror.
@Suite struct MirrorFactsTests {
    @Test(arguments: Backend.all) func aBurstAsksTheMirrorOnceAndABatchMakesItAskAgain(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, _ in
            let site = try await ExportFixtures.mirroredSite(storage).site
            let queue = ExportQueue(storage: storage)
            // Two seconds can pass between two lines on a loaded machine: the answers are trusted for an hour here.
            storage.mirrorFacts.lifetime = .seconds(3600)
            var onNewItem = ExportFixtures.pcco()
            onNewItem.lines[1].contractItem = "300"
            let first = try await queue.validate(onNewItem, site: site)
            #expect(first.map(\.field).contains { $0.hasSuffix("contractItem") })
            // Known now: asking again reads nothing from the mirror.
            let cached = await storage.mirrorFacts.contract(onNewItem.contract, site: site.id) {
                Issue.record("the contract was read from the mirror again")
                return MirrorFacts.Contract()
            }
            #expect(cached.row?.job == onNewItem.job && cached.items?.contains("100") == true)
            // A batch brings item 300: the next validation sees it at once.
            let run = SyncRunStart(runID: "items-2", connection: "Main", type: .incremental, timeframe: .beginningOfTime, startDate: nil,
                                   entities: [EntityCatalog.contractItem.name])
            _ = try await storage.beginRun(run, site: site)
            _ = try await storage.applyBatch(SyncBatch(runID: "items-2", entity: EntityCatalog.contractItem.name, sequence: 0,
                                                       columns: ["Contract", "Item", "Description"], key: ["Contract", "Item"], dateColumn: nil,
                                                       upserts: [[.text(onNewItem.contract), .text("300"), .text("Added item")]],
                                                       deletes: [], throughVersion: 9), site: site)
            #expect(try await queue.validate(onNewItem, site: site).filter { $0.field.hasSuffix("contractItem") }.isEmpty)
        }
    }
}
