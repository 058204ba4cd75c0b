import Foundation
import Hub
import SyncCore
import Testing
import TielineCore

/// The export queue's states and moves, over each storage backend with a small mirror.
@Suite struct ExportQueueTests {
    struct Setup {
        let harness: HubHarness
        let site: HubSite
        let token: String
        var queue: ExportQueue { harness.hub.queue }
        var storage: any HubStorage { harness.storage }
    }

    func withQueue(_ backend: Backend, _ body: (Setup) async throws -> Void) async throws {
        try await HubHarness.with(backend) { harness in
            let (site, token) = try await ExportFixtures.mirroredSite(harness.storage)
            try await body(Setup(harness: harness, site: site, token: token))
        }
    }

    @Test(arguments: Backend.all) func receivedPCCOIsReadyToExportWithAnAuditEvent(_ backend: Backend) async throws {
        try await withQueue(backend) { s in
            let record = try await s.queue.receive(ExportFixtures.pcco(), site: s.site)
            #expect(record.status == .ready)
            #expect(record.status.label == "Ready to Export")
            #expect(record.problems.isEmpty)
            let events = try await s.storage.exportEvents(id: record.id, site: s.site)
            #expect(events.map(\.action) == ["received"])
            #expect(events[0].actor == "procore")
            // Seen again by the next poll: nothing changes, nothing is logged.
            _ = try await s.queue.receive(ExportFixtures.pcco(), site: s.site)
            #expect(try await s.storage.exportEvents(id: record.id, site: s.site).count == 1)
        }
    }

    @Test(arguments: Backend.all) func acceptRecordsTheTransactionDateAndWhoAccepted(_ backend: Backend) async throws {
        try await withQueue(backend) { s in
            let record = try await s.queue.receive(ExportFixtures.pcco(), site: s.site)
            let accepted = try await s.queue.accept(id: record.id, site: s.site, transactionDate: try CalendarDate(parsing: "2026-12-01"), actor: "alice")
            #expect(accepted.status == .accepted)
            #expect(accepted.transactionDate?.description == "2026-12-01")
            let event = try await s.storage.exportEvents(id: record.id, site: s.site).last!
            #expect(event.actor == "alice")
            #expect(event.action == "accepted")
            #expect(event.detail == "transaction date 2026-12-01")
            await #expect(throws: TielineError.self) { try await s.queue.accept(id: record.id, site: s.site, actor: "bob") }
        }
    }

    @Test(arguments: Backend.all) func acceptDefaultsToTheDateProcoreSent(_ backend: Backend) async throws {
        try await withQueue(backend) { s in
            let record = try await s.queue.receive(ExportFixtures.pcco(), site: s.site)
            let accepted = try await s.queue.accept(id: record.id, site: s.site, actor: "alice")
            #expect(accepted.transactionDate?.description == "2026-11-20")
        }
    }

    /// Each validation rule against the mirror, with the message the approver sees.
    @Test(arguments: Backend.all, [
        ("job", ExportFixtures.pcco(job: "77-777", contract: "24-118"),
         "Sage contract 24-118 belongs to job 24-118, not to 77-777"),
        ("job missing", ExportFixtures.pcco(job: "77-777", contract: "24-118"),
         "Procore project Riverside Clinic is linked to Sage job '77-777', which is not in the hub's mirror of Sage"),
        ("contract missing", ExportFixtures.pcco(contract: "55-555"),
         "the prime contract is linked to Sage contract '55-555', which is not in the hub's mirror of Sage"),
        ("contract not approved", ExportFixtures.pcco(job: "99-001", contract: "99-001"),
         "Sage contract 99-001 is Pending; it must be Approved before it takes change orders"),
        ("number too long", ExportFixtures.pcco(number: "007-AB"),
         "PCCO number '007-AB' is 6 characters; Sage's Change_Order allows at most 5"),
        ("number used", ExportFixtures.pcco(number: "005"),
         "change order 005 already exists on contract 24-118, from a change order entered in Sage; it is not overwritten"),
        ("title too long", ExportFixtures.pcco(title: "Added storm drain along the north lot"),
         "PCCO title 'Added storm drain along the north lot' is 37 characters; Sage's Description allows at most 30"),
    ])
    func acceptIsRefusedNamingTheField(_ backend: Backend, _ rule: (name: String, export: ChangeOrderExport, message: String)) async throws {
        let (rule, export, message) = rule
        try await withQueue(backend) { s in
            var record = try await s.queue.receive(export, site: s.site)
            #expect(record.problems.map(\.message).contains(message), "\(rule): \(record.problems.map(\.message))")
            // Only a record the mirror does not hold, and nothing else wrong, is asked of Sage; here Sage confirms it.
            #expect((record.status == .checking) == (rule == "contract missing"), "\(rule): \(record.status.label)")
            if record.status == .checking {
                record = try await s.queue.recordCheck(id: record.id, site: s.site, agent: "a1", problems: record.problems)
                #expect(record.status == .ready)
            }
            let error = await #expect(throws: TielineError.self) { try await s.queue.accept(id: record.id, site: s.site, actor: "alice") }
            #expect(error?.code == .validationFailed)
            #expect(error?.message.contains(message) == true)
            #expect(try await s.queue.record(id: record.id, site: s.site).status == .ready)
        }
    }

    @Test(arguments: Backend.all) func lineRulesNameTheLineAndField(_ backend: Backend) async throws {
        try await withQueue(backend) { s in
            var export = ExportFixtures.pcco()
            export.lines[1].contractItem = "900"
            export.lines[1].category = "X"
            export.lines[0].markups[0].costCode = "02-000"
            let record = try await s.queue.receive(export, site: s.site)
            #expect(record.problems.map(\.field) == ["lines[1].markups[1].costCode", "lines[2].contractItem", "lines[2].costCode"])
            #expect(record.problems.map(\.message) == [
                "line 1 (id 1, Storm drain): markup 'Overhead and profit' goes to cost code 02-000 with category O, which is not in the hub's mirror of Sage for job 24-118",
                "line 2 (id 2, Labour): contract item '900' is not in the hub's mirror of Sage for contract 24-118",
                "line 2 (id 2, Labour): cost code 03-300 with category X is not in the hub's mirror of Sage for job 24-118",
            ])
            // The mirror cannot tell what Sage's masters hold: these go to the agent to ask Sage.
            #expect(record.status == .checking)
        }
    }

    /// A definite problem (a Pending contract) beside records the mirror does not hold: the PCCO is refused without
    /// asking Sage, and the undecided records are named as gaps of the mirror, never as missing from Sage.
    @Test(arguments: Backend.all) func recordsTheMirrorLacksBesideADefiniteProblemAreNotCalledMissingFromSage(_ backend: Backend) async throws {
        try await withQueue(backend) { s in
            var export = ExportFixtures.pcco(job: "99-001", contract: "99-001")
            export.lines[1].contractItem = "900"
            let record = try await s.queue.receive(export, site: s.site, approvedInProcore: true)
            #expect(record.status == .failed)
            #expect(record.problems.map(\.kind) == [.invalid, .missing, .missing, .missing, .missing, .missing])
            let error = try #require(record.error)
            #expect(error.contains("Sage contract 99-001 is Pending; it must be Approved before it takes change orders"))
            #expect(error.contains("line 2 (id 2, Labour): contract item '900' is not in the hub's mirror of Sage for contract 99-001"), "\(error)")
            #expect(!error.contains("does not exist"), "the mirror cannot say what Sage lacks: \(error)")
        }
    }

    @Test(arguments: Backend.all) func anAcceptedExportIsHandedToOneAgentOnly(_ backend: Backend) async throws {
        try await withQueue(backend) { s in
            let record = try await s.queue.receive(ExportFixtures.pcco(), site: s.site)
            _ = try await s.queue.accept(id: record.id, site: s.site, actor: "alice")
            async let first = s.queue.next(site: s.site, agent: "a1", wait: .zero)
            async let second = s.queue.next(site: s.site, agent: "a2", wait: .zero)
            let handed = [try await first, try await second].compactMap { $0 }
            #expect(handed.count == 1)
            #expect(handed[0].id == record.id)
            #expect(handed[0].transactionDate.description == "2026-11-20")
            let claimed = try await s.queue.record(id: record.id, site: s.site)
            #expect(claimed.status == .exporting)
            #expect(claimed.deliveries == 1)
        }
    }

    @Test(arguments: Backend.all) func aDeadAgentsClaimLapsesAndTheExportIsDeliveredAgain(_ backend: Backend) async throws {
        try await withQueue(backend) { s in
            let queue = ExportQueue(storage: s.storage, lease: 0)
            let record = try await queue.receive(ExportFixtures.pcco(), site: s.site)
            _ = try await queue.accept(id: record.id, site: s.site, actor: "alice")
            #expect(try await queue.next(site: s.site, agent: "dead", wait: .zero) != nil)
            let again = try await queue.next(site: s.site, agent: "alive", wait: .zero)
            #expect(again?.id == record.id)
            let last = try await s.storage.exportEvents(id: record.id, site: s.site).last!
            #expect(last.detail == "delivery 2; the claim of dead had lapsed")
        }
    }

    @Test(arguments: Backend.all) func aRestartedAgentGetsBackWhatItsEarlierRunHeld(_ backend: Backend) async throws {
        try await withQueue(backend) { s in
            let record = try await s.queue.receive(ExportFixtures.pcco(), site: s.site)
            _ = try await s.queue.accept(id: record.id, site: s.site, actor: "alice")
            _ = try await s.queue.next(site: s.site, agent: "run-1", wait: .zero)
            #expect(try await s.queue.next(site: s.site, agent: "run-2", wait: .zero) == nil)
            #expect(try await s.queue.release(site: s.site, agent: "run-2") == 1)
            #expect(try await s.queue.next(site: s.site, agent: "run-2", wait: .zero)?.id == record.id)
        }
    }

    @Test(arguments: Backend.all) func withoutAProcoreLinkAWrittenExportIsSynced(_ backend: Backend) async throws {
        try await withQueue(backend) { s in
            let export = ExportFixtures.pcco()
            let record = try await s.queue.receive(export, site: s.site)
            _ = try await s.queue.accept(id: record.id, site: s.site, actor: "alice")
            _ = try await s.queue.next(site: s.site, agent: "a1", wait: .zero)
            let done = try await s.queue.recordOutcome(id: record.id, site: s.site, agent: "a1", outcome: ExportOutcome(written: ExportFixtures.written(export)))
            #expect(done.status == .synced)
            #expect(done.result?.changeOrder == "007")
            #expect(done.syncedAt != nil)
        }
    }

    /// A site linked to Procore (at a closed port) whose PCCO was accepted and written: Procore is still to be told.
    static func writtenForALinkedSite(_ storage: any HubStorage) async throws -> (HubSite, ExportQueue, HubExport) {
        let (site, _) = try await ExportFixtures.mirroredSite(storage)
        try await storage.linkProcore(ProcoreLink(baseURL: "http://127.0.0.1:9", companyID: 1, clientID: "c", sealedSecret: Data(),
                                                  style: .erpRequests, pollSeconds: 3600), site: site.name)
        let queue = ExportQueue(storage: storage)
        let export = ExportFixtures.pcco()
        let record = try await queue.receive(export, site: site)
        _ = try await queue.accept(id: record.id, site: site, actor: "alice")
        _ = try await queue.next(site: site, agent: "a1", wait: .zero)
        let written = try await queue.recordOutcome(id: record.id, site: site, agent: "a1", outcome: ExportOutcome(written: ExportFixtures.written(export)))
        return (site, queue, written)
    }

    @Test(arguments: Backend.all) func aLinkedSiteWaitsForProcoreAndRetriesWithBackoff(_ backend: Backend) async throws {
        // Storage without a hub server, whose own Procore bridge would race this test for the write-back.
        try await TestDatabase.with(backend) { storage, _ in
            let (site, queue, written) = try await Self.writtenForALinkedSite(storage)
            let record = written
            #expect(written.status == .exporting)
            #expect(written.writeBack?.purpose == .synced)
            #expect(try await storage.writeBacksDue(now: Date(), limit: 10).map(\.1.id) == [record.id])
            let failed = try await queue.writeBackFailed(id: record.id, site: site, error: "HTTP 500")
            #expect(failed.writeBack?.attempts == 1)
            #expect(failed.writeBack!.dueAt > Date())
            #expect(try await storage.writeBacksDue(now: Date(), limit: 10).isEmpty)
            let synced = try await queue.writeBackSucceeded(id: record.id, site: site)
            #expect(synced.status == .synced)
            #expect(synced.writeBack == nil)
        }
    }

    @Test(arguments: Backend.all) func aDueWriteBackIsTakenByOneHubProcessUntilItsHoldLapses(_ backend: Backend) async throws {
        // Storage without a hub server: a running hub's own Procore bridge would be a third process taking it.
        try await TestDatabase.with(backend) { storage, _ in
            let (site, queue, record) = try await Self.writtenForALinkedSite(storage)
            #expect(try await storage.writeBacksDue(now: Date(), limit: 10).map(\.1.id) == [record.id])

            // Two hub processes on one database both listed it; they take it at the same moment.
            let first = ExportQueue(storage: storage), second = ExportQueue(storage: storage)
            async let a = first.takeWriteBacks(ids: [record.id], site: site)
            async let b = second.takeWriteBacks(ids: [record.id], site: site)
            let taken = try await a + b
            #expect(taken.map(\.id) == [record.id], "exactly one process tells Procore")
            #expect(taken.first?.writeBack?.purpose == .synced)
            #expect(try await storage.writeBacksDue(now: Date(), limit: 10).isEmpty, "held, so no process lists it")

            // The holder died while telling Procore: once the hold lapses another process takes it.
            let later = ExportQueue(storage: storage, now: { Date().addingTimeInterval(ExportQueue.writeBackHold + 1) })
            #expect(try await later.takeWriteBacks(ids: [record.id, 987_654], site: site).map(\.id) == [record.id])
            // Told: nothing is left to take.
            _ = try await queue.writeBackSucceeded(id: record.id, site: site)
            #expect(try await later.takeWriteBacks(ids: [record.id], site: site).isEmpty)
        }
    }

    @Test(arguments: Backend.all) func aFailureIsFailedToExportAndRetryValidatesAgain(_ backend: Backend) async throws {
        try await withQueue(backend) { s in
            let record = try await s.queue.receive(ExportFixtures.pcco(), site: s.site)
            _ = try await s.queue.accept(id: record.id, site: s.site, actor: "alice")
            _ = try await s.queue.next(site: s.site, agent: "a1", wait: .zero)
            let failed = try await s.queue.recordOutcome(id: record.id, site: s.site, agent: "a1",
                                                         outcome: ExportOutcome(errorCode: "change_order_conflict", errorMessage: "change order 007 already exists"))
            #expect(failed.status == .failed)
            #expect(failed.status.label == "Failed to Export")
            #expect(failed.error == "change order 007 already exists")
            let retried = try await s.queue.retry(id: record.id, site: s.site, actor: "alice")
            #expect(retried.status == .ready)
            #expect(retried.error == nil)
        }
    }

    @Test(arguments: Backend.all) func rejectRetrieveUnlinkAndResetFollowProcoresRules(_ backend: Backend) async throws {
        try await withQueue(backend) { s in
            let one = try await s.queue.receive(ExportFixtures.pcco(id: 1), site: s.site)
            let rejected = try await s.queue.reject(id: one.id, site: s.site, comment: "  wrong cost code  ", actor: "alice")
            #expect(rejected.status == .rejected)
            #expect(rejected.comment == "wrong cost code")
            #expect(try await s.storage.exportEvents(id: one.id, site: s.site).last?.detail == "wrong cost code")

            let two = try await s.queue.receive(ExportFixtures.pcco(id: 2, number: "008"), site: s.site)
            #expect(try await s.queue.retrieve(id: two.id, site: s.site, actor: "alice").status == .retrieved)
            let notSynced = await #expect(throws: TielineError.self) { try await s.queue.unlink(id: two.id, site: s.site, actor: "alice") }
            #expect(notSynced?.message == "export \(two.id) (PCCO 008) is Retrieved; only Synced can be unlinked")

            let three = try await s.queue.receive(ExportFixtures.pcco(id: 3, number: "009"), site: s.site)
            _ = try await s.queue.accept(id: three.id, site: s.site, actor: "alice")
            _ = try await s.queue.next(site: s.site, agent: "a", wait: .zero)
            _ = try await s.queue.recordOutcome(id: three.id, site: s.site, agent: "a", outcome: ExportOutcome(written: ExportFixtures.written(ExportFixtures.pcco(id: 3, number: "009"))))
            #expect(try await s.queue.unlink(id: three.id, site: s.site, actor: "alice").status == .unlinked)
            let reset = try await s.queue.reset(id: three.id, site: s.site, actor: "admin")
            #expect(reset.status == .ready)
            #expect(reset.result == nil)
            #expect(try await s.storage.exportEvents(id: three.id, site: s.site).map(\.action)
                    == ["received", "accepted", "claimed", "written", "unlinked", "reset"])
        }
    }

    @Test(arguments: Backend.all) func aSageEditAfterSyncIsFlaggedAsDrift(_ backend: Backend) async throws {
        try await withQueue(backend) { s in
            let export = ExportFixtures.pcco()
            let record = try await s.queue.receive(export, site: s.site)
            _ = try await s.queue.accept(id: record.id, site: s.site, actor: "alice")
            _ = try await s.queue.next(site: s.site, agent: "a", wait: .zero)
            _ = try await s.queue.recordOutcome(id: record.id, site: s.site, agent: "a", outcome: ExportOutcome(written: ExportFixtures.written(export)))
            // The next sync mirrors the change order as someone edited it in Sage.
            _ = try await s.storage.beginRun(SyncRunStart(runID: "inc-1", connection: "Sage", type: .incremental, timeframe: .beginningOfTime,
                                                          startDate: nil, entities: ["Contract Change Order (CN)"]), site: s.site)
            _ = try await s.storage.applyBatch(SyncBatch(runID: "inc-1", entity: "Contract Change Order (CN)", sequence: 0,
                columns: ["Contract", "Change_Order", "Description", "Status", "Amount", "Chg_Mgmt_Ref_1"], key: ["Contract", "Change_Order"],
                dateColumn: nil, upserts: [[.text("24-118"), .text("007"), .text("Added storm drain"), .text("Approved"), .integer(1_500_000),
                                            .text("procore:pcco:7001")]], deletes: [], throughVersion: 9), site: s.site)
            #expect(try await s.queue.checkDrift(site: s.site) == 1)
            let drifted = try await s.queue.record(id: record.id, site: s.site)
            #expect(drifted.drift == ["change order 007 on contract 24-118: Amount is 15000.00 in Sage, 12500.50 was exported"])
            #expect(drifted.status == .synced)
        }
    }

    @Test(arguments: Backend.all) func theAgentAPIServesOnlyItsOwnSite(_ backend: Backend) async throws {
        try await withQueue(backend) { s in
            let otherToken = try await s.storage.addSite("other")
            let record = try await s.queue.receive(ExportFixtures.pcco(), site: s.site)
            let empty = try await s.harness.call("GET", "/v1/exports/next?wait=0&agent=a1", token: s.token)
            #expect(empty.status == 204)
            _ = try await s.queue.accept(id: record.id, site: s.site, actor: "alice")
            #expect(try await s.harness.call("GET", "/v1/exports/next?wait=0&agent=x", token: otherToken).status == 204)
            let foreign = try await s.harness.json("POST", "/v1/exports/\(record.id)/result?agent=x", token: otherToken,
                                                   ExportOutcome(errorCode: "x", errorMessage: "y"))
            #expect(foreign.status == 404)
            let handed = try await s.harness.call("GET", "/v1/exports/next?wait=0&agent=a1", token: s.token)
            #expect(handed.status == 200)
            let assignment = try #require(try JSONDecoder().decode([ExportAssignment].self, from: handed.body).first)
            #expect(assignment.export.pccoID == 7001)
            let reported = try await s.harness.json("POST", "/v1/exports/\(record.id)/result?agent=a1", token: s.token,
                                                    ExportOutcome(written: ExportFixtures.written(assignment.export)))
            #expect(reported.status == 200)
            #expect((reported.json as? [String: Any])?["status"] as? String == "synced")
            #expect(try await s.harness.call("GET", "/v1/exports/next?wait=0", token: nil).status == 401)
        }
    }

    @Test(arguments: Backend.all) func aLongPollWakesWhenAnExportIsAccepted(_ backend: Backend) async throws {
        try await withQueue(backend) { s in
            let record = try await s.queue.receive(ExportFixtures.pcco(), site: s.site)
            async let polled = s.harness.call("GET", "/v1/exports/next?wait=30&agent=a1", token: s.token)
            try await Task.sleep(for: .milliseconds(100))
            _ = try await s.queue.accept(id: record.id, site: s.site, actor: "alice")
            let reply = try await polled
            #expect(reply.status == 200)
        }
    }

    @Test(arguments: Backend.all) func webhookDeliveriesNeedTheSitesWebhookToken(_ backend: Backend) async throws {
        try await withQueue(backend) { s in
            try await s.storage.linkProcore(ProcoreLink(baseURL: "http://127.0.0.1:9", companyID: 1, clientID: "c", sealedSecret: Data(),
                                                        style: .erpRequests, pollSeconds: 3600, webhookTokenHash: SiteToken.hash("tlw_good")), site: "acme")
            let bad = try await s.harness.call("POST", "/procore/webhook", token: "tlw_bad", body: Array("{}".utf8))
            #expect(bad.status == 401)
            #expect(bad.errorCode == "unauthorized")
            let agentToken = try await s.harness.call("POST", "/procore/webhook", token: s.token, body: Array("{}".utf8))
            #expect(agentToken.status == 401)
            let good = try await s.harness.call("POST", "/procore/webhook", token: "tlw_good", body: Array(#"{"resource_name":"ERP Requests"}"#.utf8))
            #expect(good.status == 202)
            #expect(try await s.storage.site(forWebhookTokenHash: SiteToken.hash("tlw_good"))?.name == "acme")
        }
    }

    @Test func procoreSecretsAreSealedWithTheHubsKey() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let keyFile = folder.appendingPathComponent("hub-secret.key")
        let box = try HubSecretBox.load(keyFile: keyFile)
        let sealed = try box.seal("s3cret-value")
        #expect(!String(decoding: sealed, as: UTF8.self).contains("s3cret-value"))
        #expect(try HubSecretBox.load(keyFile: keyFile).open(sealed) == "s3cret-value")
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let other = try HubSecretBox.load(keyFile: folder.appendingPathComponent("other.key"))
        #expect(throws: TielineError.self) { try other.open(sealed) }
    }
}

/// The setup guide's Sync selection does not include Job (CV); validation must not need it.
@Suite struct GuideSelectionValidationTests {
    @Test(arguments: Backend.all) func aJobIsKnownFromItsContractWithoutJobCV(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { harness in
            let site = try await ExportFixtures.mirroredSite(harness.storage).site
            _ = try await harness.storage.beginRun(SyncRunStart(runID: "deep-2", connection: "Sage", type: .deep, timeframe: .beginningOfTime,
                                                                startDate: nil, entities: ["Job (CV)"]), site: site)
            // A Deep run that sends no Job (CV) rows empties that entity in the mirror.
            _ = try await harness.storage.completeEntity(EntityCompletion(runID: "deep-2", entity: "Job (CV)", rowCount: 0), site: site)
            #expect(try await harness.storage.mirrorRowExists(entity: "Job (CV)", key: ["24-118"], site: site) == false)
            let record = try await harness.hub.queue.receive(ExportFixtures.pcco(), site: site)
            #expect(record.problems.isEmpty, "\(record.problems.map(\.message))")
        }
    }
}
