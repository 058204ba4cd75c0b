import Foundation
import GRDB
import Hub
import Procore
import ProcoreSandbox
import SageStore
import SageModel
import SyncCore
import Testing
@testable import TielineCLI
import TielineCore

/// A PCCO from the Procore sandbox to Sage and back, through the real hub and agent on loopback.
@Suite("PCCO export end to end", .timeLimit(.minutes(5)))
struct ExportEndToEndTests {
    static func stack(_ style: ProcoreLink.Style = .erpRequests, pollSeconds: Int = 60, hubApproval: Bool = false) async throws -> ExportStack {
        var options = ExportStack.Options()
        options.hubApproval = hubApproval
        options.jobs = 4
        options.transactions = 400
        options.style = style
        options.pollSeconds = pollSeconds
        let stack = try await ExportStack.start(folder: FileManager.default.temporaryDirectory.appendingPathComponent("e2e-\(UUID().uuidString)"),
                                                options: options)
        let run = try await stack.sync()
        #expect(run.status == .completed)
        // Procore learns Sage's jobs and contracts as staged records, imported from Ready to Import.
        #expect(try await stack.stageAndImport() > 0)
        return stack
    }

    /// Runs `body` on a synced stack with the agent's export worker running, and always tears down.
    static func withStack(_ style: ProcoreLink.Style = .erpRequests, agent: Bool = true, pollSeconds: Int = 60, hubApproval: Bool = false,
                          _ body: (ExportStack) async throws -> Void) async throws {
        let stack = try await stack(style, pollSeconds: pollSeconds, hubApproval: hubApproval)
        do {
            if agent { try await stack.withAgent { try await body(stack) } } else { try await body(stack) }
        } catch {
            await stack.shutdown()
            throw error
        }
        await stack.shutdown()
        try? FileManager.default.removeItem(at: stack.folder)
    }

    static func createPCCO(_ stack: ExportStack, number: String = "007", transactionDate: CalendarDate? = nil) throws -> SandboxPCCO {
        try stack.sandbox.createApprovedPCCO(PCCOSpec(projectID: stack.sandbox.projects.first { $0.originCode == "24-118" }?.id,
                                                      number: number, title: "Added storm drain", transactionDate: transactionDate))
    }

    static func changeOrders(_ stack: ExportStack, reference: String) throws -> Int {
        try stack.company.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM CNC_ACTIVE__CHANGE_ORDER WHERE Chg_Mgmt_Ref_1 = ?", arguments: [reference]) ?? 0
        }
    }

    static func unpostedEntries(_ stack: ExportStack, reference: String) throws -> Int {
        try stack.company.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM JCT_UNPOSTED__TRANSACTION WHERE Chg_Mgmt_Ref_1 = ?", arguments: [reference]) ?? 0
        }
    }

    @Test func erpRequestApprovedInProcoreGoesStraightToSageAndSynced() async throws {
        try await Self.withStack { stack in
            // Procore's accounting approver approved the export there, with this Transaction Date: no second Accept.
            let deliveredBefore = stack.sandbox.webhookDeliveries.delivered  // the staging requests' own
            let pcco = try Self.createPCCO(stack, transactionDate: try CalendarDate(parsing: "2026-11-30"))
            let queued = try await DemoCommand.arrival(of: pcco.id, stack: stack)
            #expect(queued.status != .ready)
            #expect(queued.problems.isEmpty, "\(queued.problems)")
            #expect(stack.sandbox.webhookDeliveries.delivered == deliveredBefore + 1)

            let done = try await stack.waitFor(export: queued.id, [.synced, .failed])
            #expect(done.status == .synced, "\(done.error ?? "") \(done.writeBack?.lastError ?? "")")
            #expect(try Self.changeOrders(stack, reference: "procore:pcco:\(pcco.id)") == 1)
            #expect(try Self.unpostedEntries(stack, reference: "procore:pcco:\(pcco.id)") == done.result?.entries.count)
            let date = try stack.company.read { db in
                try String.fetchOne(db, sql: "SELECT Change_Order_Date FROM CNC_ACTIVE__CHANGE_ORDER WHERE Chg_Mgmt_Ref_1 = ?", arguments: ["procore:pcco:\(pcco.id)"])
            }
            #expect(date == "2026-11-30")
            // Procore was told: origin ids synced and the request detail closed with success.
            guard case .erpRequest(let detailID) = queued.export.intake else { Issue.record("not an ERP request"); return }
            #expect(stack.sandbox.requestDetail(detailID)?.status == "success")
            // The origin id is the Sage change order's Row_ID GUID, the same one Sage holds.
            let rowID = try #require(try Self.changeOrderRowID(stack, reference: "procore:pcco:\(pcco.id)"))
            #expect(done.result?.rowIDs?.changeOrder == rowID)
            #expect(stack.sandbox.externalUpdates.contains { $0.itemType == "change_order" && $0.itemID == pcco.id && $0.originID == rowID })
            let actions = try await stack.storage.exportEvents(id: done.id, site: stack.site).map(\.action)
            #expect(actions == ["received", "claimed", "written", "told"])
        }
    }

    @Test func aWebhookBringsTheRequestItNamesAndTheListsPollSkipsIt() async throws {
        try await Self.withStack(hubApproval: true) { stack in
            let companyID = try #require(try await stack.storage.procoreLink(site: stack.site)?.companyID)
            let list = "GET /rest/v1.0/companies/\(companyID)/erp_requests"
            let before = stack.sandbox.requestLog.count
            let pcco = try Self.createPCCO(stack)
            let queued = try await DemoCommand.arrival(of: pcco.id, stack: stack)
            let link = try #require(try await stack.storage.procoreLink(site: stack.site))
            let request = try #require(stack.sandbox.erpRequests.last?.id)
            #expect(link.handledRequests?.contains(request) == true && request > Int(link.cursor ?? "0")!)
            // Procore's ERP guide: fetch the payload with Show ERP Request by the webhook's resource_id, not the list.
            let calls = stack.sandbox.requestLog.dropFirst(before)
            #expect(calls.contains("\(list)/\(request)"), "\(Array(calls))")
            #expect(!calls.contains(list), "\(Array(calls))")

            // The scheduled poll reads the list, skips the request already acted on, moves its cursor past it and forgets it.
            try await stack.pollProcore()
            let after = try #require(try await stack.storage.procoreLink(site: stack.site))
            #expect(Int(after.cursor ?? "0")! >= request && after.handledRequests == nil)
            #expect(stack.sandbox.requestLog.dropFirst(before).contains(list))
            let events = try await stack.storage.exportEvents(id: queued.id, site: stack.site).map(\.action)
            #expect(events == ["received"], "received once: \(events)")
            #expect(queued.pccoID == pcco.id)
        }
    }

    @Test func withHubApprovalItWaitsForAnAcceptInTheHub() async throws {
        try await Self.withStack(hubApproval: true) { stack in
            let pcco = try Self.createPCCO(stack)
            let queued = try await DemoCommand.arrival(of: pcco.id, stack: stack)
            #expect(queued.status == .ready)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await stack.hub.queue.record(id: queued.id, site: stack.site).status == .ready, "nothing moves without the Accept")
            #expect(try Self.changeOrders(stack, reference: "procore:pcco:\(pcco.id)") == 0)
            let accepted = try await stack.hub.queue.accept(id: queued.id, site: stack.site, transactionDate: try CalendarDate(parsing: "2026-11-30"), actor: "alice")
            let done = try await stack.waitFor(export: accepted.id, [.synced, .failed])
            #expect(done.status == .synced)
            #expect(try await stack.storage.exportEvents(id: done.id, site: stack.site).map(\.action) == ["received", "accepted", "claimed", "written", "told"])
        }
    }

    @Test func withoutWebhooksTheScheduledPollPicksThePCCOUp() async throws {
        try await Self.withStack(pollSeconds: 1) { stack in
            stack.sandbox.setWebhook(nil)
            let deliveredBefore = stack.sandbox.webhookDeliveries.delivered
            let pcco = try Self.createPCCO(stack, number: "015")
            let queued = try await DemoCommand.arrival(of: pcco.id, stack: stack)
            #expect(queued.problems.isEmpty)
            #expect(stack.sandbox.webhookDeliveries.delivered == deliveredBefore)
            let link = try #require(try await stack.storage.procoreLink(site: stack.site))
            #expect(link.lastPollAt != nil)
            #expect(link.lastPollError == nil)
            #expect(link.cursor != nil, "the poll remembers the last ERP request it saw")
        }
    }

    @Test func publicAPIStyleKeepsTheLinkInTheHub() async throws {
        try await Self.withStack(.publicAPI) { stack in
            let pcco = try Self.createPCCO(stack, number: "011")
            let queued = try await DemoCommand.arrival(of: pcco.id, stack: stack)
            #expect(queued.export.intake == .publicAPI)
            _ = try await stack.hub.queue.accept(id: queued.id, site: stack.site, actor: "alice")
            let done = try await stack.waitFor(export: queued.id, [.synced, .failed])
            #expect(done.status == .synced)
            // Procore documents no origin fields on Update Prime Change Order: nothing is written there...
            let synced = try #require(stack.sandbox.changeOrders.first { $0.id == pcco.id })
            #expect(synced.originID == nil)
            #expect(done.result?.rowIDs?.changeOrder == (try Self.changeOrderRowID(stack, reference: "procore:pcco:\(pcco.id)")))
            // ...and the next poll, which still sees the approved PCCO, changes nothing: the hub keeps the link.
            try await stack.pollProcore()
            #expect(try await stack.hub.queue.record(id: queued.id, site: stack.site).status == .synced)
            #expect(try Self.changeOrders(stack, reference: "procore:pcco:\(pcco.id)") == 1)
        }
    }

    static func changeOrderRowID(_ stack: ExportStack, reference: String) throws -> String? {
        try stack.company.read { db in
            try String.fetchOne(db, sql: "SELECT Row_ID FROM CNC_ACTIVE__CHANGE_ORDER WHERE Chg_Mgmt_Ref_1 = ?", arguments: [reference])
        }
    }

    /// Procore's sample ERP request (../shared/procore, embedded as `DemoFixtures.erpRequest`), edited by `edit`.
    static func sampleRequest(_ edit: (String) -> String = { $0 }) throws -> JSONValue {
        try JSONValue.parse(Data(edit(DemoFixtures.erpRequest).utf8), context: "sample ERP request")
    }

    static func costAndRevenue(_ stack: ExportStack, reference: String) throws -> (cost: [String], revenue: [String]) {
        try stack.company.read { db throws in
            let batch = try UnpostedTransaction.fetchAll(db, sql: "SELECT * FROM JCT_UNPOSTED__TRANSACTION WHERE Chg_Mgmt_Ref_1 = ? ORDER BY Entry",
                                                         arguments: [reference]).map(\.transaction)
            return (batch.filter { $0.transactionType == TransactionType.approvedEstimateChange }.map { "\($0.costCode!)/\($0.category!) \($0.amount)" },
                    batch.filter { $0.transactionType == TransactionType.approvedScheduledValueChange }.map { "\($0.item!) \($0.amount)" })
        }
    }

    @Test func theSampleERPRequestSentAsProcoreWouldLandsInSageWithNoAccept() async throws {
        try await Self.withStack { stack in
            try stack.sandbox.enqueueERPRequest(try Self.sampleRequest())
            let queued = try await DemoCommand.arrival(of: 7781, stack: stack)
            let done = try await stack.waitFor(export: queued.id, [.synced, .failed])
            #expect(done.status == .synced, "\(done.error ?? "") \(done.writeBack?.lastError ?? "")")
            #expect(!(try await stack.storage.exportEvents(id: done.id, site: stack.site).map(\.action)).contains("accepted"))
            let result = try #require(done.result)
            // Revenue 12,500.00 = 11,500.00 (a line's amount includes its markup) + 1,000.00; the markup is not added again.
            #expect(result.total.description == "12500.00")
            #expect(result.items == ["100": Money(cents: 1_150_000), "200": Money(cents: 100_000)])
            #expect(done.transactionDate?.description == "2024-09-20")
            let written = try Self.costAndRevenue(stack, reference: "procore:pcco:7781")
            #expect(written.revenue == ["100 11500.00", "200 1000.00"])
            // Cost: the line before markups on its own cost code, the markup on its destination.
            #expect(written.cost == ["01-900/O 1500.00", "02-200/S 10000.00", "03-300/M 1000.00"])
            #expect(stack.sandbox.requestDetail(5120)?.status == "success")
        }
    }

    @Test func theSampleWithHubApprovalWaitsForTheAccept() async throws {
        try await Self.withStack(hubApproval: true) { stack in
            try stack.sandbox.enqueueERPRequest(try Self.sampleRequest())
            let queued = try await DemoCommand.arrival(of: 7781, stack: stack)
            #expect(queued.status == .ready || queued.status == .checking)
            _ = try await stack.waitFor(export: queued.id, [.ready])
            #expect(try Self.changeOrders(stack, reference: "procore:pcco:7781") == 0)
            _ = try await stack.hub.queue.accept(id: queued.id, site: stack.site, actor: "alice")
            let done = try await stack.waitFor(export: queued.id, [.synced, .failed])
            #expect(done.status == .synced)
            #expect(done.result?.total.description == "12500.00")
        }
    }

    @Test func aMarkupToACostCodeOnlySagesMastersHoldIsCheckedWithSageAndWritten() async throws {
        try await Self.withStack { stack in
            // Added to Sage's masters after the sync; no synced row (transaction, contract item) mentions it.
            try stack.company.write { db in
                try CostCode(job: "24-118", costCode: "01-950", description: "Winter conditions").insert(db)
                try Category(job: "24-118", costCode: "01-950", category: "O", description: "Other").insert(db)
            }
            try stack.sandbox.enqueueERPRequest(try Self.sampleRequest {
                $0.replacingOccurrences(of: "\"id\": 7781", with: "\"id\": 7782").replacingOccurrences(of: "\"number\": \"007\"", with: "\"number\": \"008\"")
                  .replacingOccurrences(of: "\"request_detail_id\": 5120", with: "\"request_detail_id\": 5121")
                  .replacingOccurrences(of: "\"full_code\": \"01-900\"", with: "\"full_code\": \"01-950\"")
            })
            let queued = try await DemoCommand.arrival(of: 7782, stack: stack)
            let done = try await stack.waitFor(export: queued.id, [.synced, .failed])
            #expect(done.status == .synced, "\(done.error ?? "") \(done.problems.map(\.message))")
            let actions = try await stack.storage.exportEvents(id: done.id, site: stack.site).map(\.action)
            let details = try await stack.storage.exportEvents(id: done.id, site: stack.site).map { "\($0.actor) \($0.action) \($0.detail ?? "")" }
            #expect(Array(actions.prefix(3)) == ["received", "checking", "checked"], "\(details)")
            #expect(try Self.costAndRevenue(stack, reference: "procore:pcco:7782").cost == ["01-950/O 1500.00", "02-200/S 10000.00", "03-300/M 1000.00"])
        }
    }

    @Test func aChangeOrderTypedInSageIsAConflictNotOverwritten() async throws {
        try await Self.withStack(hubApproval: true) { stack in
            let pcco = try Self.createPCCO(stack, number: "012")
            let queued = try await DemoCommand.arrival(of: pcco.id, stack: stack)
            // Someone types change order 012 in Sage after the last sync: the mirror cannot know.
            try stack.company.write { db in
                try ChangeOrder(contract: "24-118", changeOrder: "012", description: "Typed in Sage", status: "Approved",
                                date: try CalendarDate(parsing: "2026-11-01"), amount: Money(cents: 100)).insert(db)
            }
            _ = try await stack.hub.queue.accept(id: queued.id, site: stack.site, actor: "alice")
            let done = try await stack.waitFor(export: queued.id, [.failed, .synced])
            #expect(done.status == .failed)
            #expect(done.error == "change order 012 already exists on contract 24-118, from a change order entered in Sage; it is not overwritten")
            let description = try stack.company.read { db in
                try String.fetchOne(db, sql: "SELECT Description FROM CNC_ACTIVE__CHANGE_ORDER WHERE Contract = '24-118' AND Change_Order = '012'")
            }
            #expect(description == "Typed in Sage")
            #expect(try Self.unpostedEntries(stack, reference: "procore:pcco:\(pcco.id)") == 0)
            // Procore shows Failed to Export with the reason.
            guard case .erpRequest(let detail) = queued.export.intake else { Issue.record("not an ERP request"); return }
            let closed = try await Self.eventually { stack.sandbox.requestDetail(detail)?.status == "failed" }
            #expect(closed)
            #expect(stack.sandbox.requestDetail(detail)?.messages.first?.contains("already exists on contract 24-118") == true)
        }
    }

    @Test func procoreWriteBackFailingThreeTimesStillEndsSyncedWithOneWrite() async throws {
        try await Self.withStack(hubApproval: true) { stack in
            let pcco = try Self.createPCCO(stack, number: "013")
            let queued = try await DemoCommand.arrival(of: pcco.id, stack: stack)
            var faults = SandboxFaults()
            faults.serverErrorBurst = 3
            stack.sandbox.setFaults(faults)
            let before = stack.sandbox.requestLog.count
            _ = try await stack.hub.queue.accept(id: queued.id, site: stack.site, actor: "alice")
            let done = try await stack.waitFor(export: queued.id, [.synced, .failed], timeout: .seconds(60))
            #expect(done.status == .synced)
            #expect(try Self.changeOrders(stack, reference: "procore:pcco:\(pcco.id)") == 1)
            let writeBacks = stack.sandbox.requestLog.dropFirst(before).filter { $0.contains("external_data/sync") }
            #expect(writeBacks.count == 4, "three 500s, then the call that succeeded: \(writeBacks); all: \(Array(stack.sandbox.requestLog.dropFirst(before)))")
            #expect(stack.sandbox.faults.serverErrorBurst == 0)
        }
    }

    @Test func editingTheChangeOrderInSageIsFlaggedAfterTheNextSync() async throws {
        try await Self.withStack(hubApproval: true) { stack in
            let pcco = try Self.createPCCO(stack, number: "014")
            let queued = try await DemoCommand.arrival(of: pcco.id, stack: stack)
            _ = try await stack.hub.queue.accept(id: queued.id, site: stack.site, actor: "alice")
            let done = try await stack.waitFor(export: queued.id, [.synced, .failed])
            #expect(done.status == .synced)
            try stack.company.write { db in
                try db.execute(sql: "UPDATE CNC_ACTIVE__CHANGE_ORDER SET Description = 'Storm drain (revised)' WHERE Chg_Mgmt_Ref_1 = ?",
                               arguments: ["procore:pcco:\(pcco.id)"])
            }
            _ = try await stack.sync()
            let flagged = try await stack.hub.queue.record(id: done.id, site: stack.site)
            #expect(flagged.drift == ["change order 014 on contract 24-118: Description is 'Storm drain (revised)' in Sage, 'Added storm drain' was exported"])
            #expect(flagged.status == .synced)
            // Procore's PCCO is untouched: PCCO sync is one way.
            #expect(stack.sandbox.changeOrders.first { $0.id == pcco.id }?.title == "Added storm drain")
        }
    }

    static func detailID(_ export: ChangeOrderExport) -> Int? {
        if case .erpRequest(let id) = export.intake { return id }
        return nil
    }

    static func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<3000 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
        return condition()
    }
}
