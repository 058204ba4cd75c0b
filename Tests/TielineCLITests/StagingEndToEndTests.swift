import AsyncHTTPClient
import Foundation
import GRDB
import Hub
import Procore
@testable import TielineCLI
import ProcoreSandbox
import SageStore
import Testing
import TielineCore

/// #14: Sage's jobs and prime contracts reach Procore as staged records the hub offers from its mirror,
/// imported from Ready to Import; PCCOs are then made on what was imported.
@Suite("Staging Sage jobs and contracts for Procore", .timeLimit(.minutes(5)))
struct StagingEndToEndTests {
    static func addJob(_ stack: ExportStack, job: String, items: [(String, String, Int64)]) throws {
        try stack.company.write { db in
            try Job(job: job, description: "Harbor terminal", customer: "C0001").insert(db)
            for (item, costCode, _) in items {
                try CostCode(job: job, costCode: costCode, description: "Work \(costCode)").insert(db)
                try SageStore.Category(job: job, costCode: costCode, category: "S", description: "Subcontract").insert(db)
                _ = item
            }
            try Contract(contract: job, job: job, customer: "C0001", description: "Harbor prime",
                         originalAmount: Money(cents: items.map(\.2).reduce(0, +))).insert(db)
            for (item, costCode, cents) in items {
                try ContractItem(contract: job, item: item, description: "Item \(item)", job: job, costCode: costCode, category: "S",
                                 originalScheduledValue: Money(cents: cents)).insert(db)
            }
        }
    }

    @Test func aNewJobAndContractAreStagedImportedAndTakeAPCCO() async throws {
        try await ExportEndToEndTests.withStack { stack in
            try Self.addJob(stack, job: "25-900", items: [("100", "02-200", 50_000_00), ("200", "03-300", 80_000_00)])
            #expect(try await stack.sync().status == .completed)
            #expect(try await stack.stageAndImport() == 2, "the new project and its prime contract")
            let project = try #require(stack.sandbox.projects.first { $0.originCode == "25-900" })
            // Origin ids are the Sage records' Row_IDs: the same on every staging.
            let rowID = try stack.company.read { db in try String.fetchOne(db, sql: "SELECT Row_ID FROM JCM_MASTER__JOB WHERE Job = '25-900'") }
            #expect(project.originID == rowID)
            let contract = try #require(stack.sandbox.primeContracts.first { $0.originCode == "25-900" })
            #expect(contract.items.map(\.originCode) == ["100", "200"])
            #expect(contract.items.map(\.amount) == [Money(cents: 50_000_00), Money(cents: 80_000_00)])
            #expect(try await stack.stageAndImport() == 0, "nothing changed: nothing new on Ready to Import")

            let pcco = try stack.sandbox.createApprovedPCCO(PCCOSpec(projectID: project.id, number: "001", title: "Extra piles",
                                                                     lines: [.init(contractItem: "200", amount: Money(cents: 4_000_00))]))
            let queued = try await DemoCommand.arrival(of: pcco.id, stack: stack)
            let done = try await stack.waitFor(export: queued.id, [.synced, .failed])
            #expect(done.status == .synced, "\(done.error ?? "") \(queued.problems.map(\.message))")
            #expect(done.result?.contract == "25-900")
        }
    }

    @Test func anItemAddedInSageIsStagedAsAnUpdateAndADeletedJobIsArchived() async throws {
        try await ExportEndToEndTests.withStack { stack in
            try Self.addJob(stack, job: "25-901", items: [("100", "02-200", 10_000_00)])
            _ = try await stack.sync()
            try await stack.stageAndImport()
            try stack.company.write { db in
                try ContractItem(contract: "25-901", item: "200", description: "Item 200", job: "25-901", costCode: "02-200", category: "S",
                                 originalScheduledValue: Money(cents: 2_500_00)).insert(db)
            }
            _ = try await stack.sync()
            let detail = stack.sandbox.requestStaging("sync_prime_contracts")
            try await stack.pollProcore()
            #expect(stack.sandbox.requestDetail(detail)?.status == "success")
            #expect(stack.sandbox.requestDetail(detail)?.messages.first?.contains("1 new record staged, 1 updated") == true,
                    "\(stack.sandbox.requestDetail(detail)?.messages ?? [])")
            #expect(stack.sandbox.readyToImport.map(\.originCode) == ["25-901"], "the contract is offered again")
            #expect(try stack.sandbox.importAll() == 1)
            #expect(stack.sandbox.primeContracts.first { $0.originCode == "25-901" }?.items.map(\.originCode) == ["100", "200"])

            // The job goes from Sage (its contract and items with it); the next staging archives what is gone.
            try stack.company.write { db in
                try db.execute(sql: "DELETE FROM CNC_ACTIVE__CONTRACT_ITEM WHERE Contract = '25-901'")
                try db.execute(sql: "DELETE FROM CNC_ACTIVE__CONTRACT WHERE Contract = '25-901'")
                try db.execute(sql: "DELETE FROM JCM_MASTER__CATEGORY WHERE Job = '25-901'")
                try db.execute(sql: "DELETE FROM JCM_MASTER__COST_CODE WHERE Job = '25-901'")
                try db.execute(sql: "DELETE FROM JCM_MASTER__JOB WHERE Job = '25-901'")
            }
            _ = try await stack.sync()
            try await stack.stageAndImport()
            let records = stack.sandbox.stagedRecords.filter { $0.originCode == "25-901" }
            #expect(!records.isEmpty && records.allSatisfy { $0.status == "archived" }, "\(records.map { ($0.itemType, $0.status) })")
        }
    }

    @Test func aStagingThatCannotBeDoneClosesTheRequestWithTheReason() async throws {
        // A hub that never synced has nothing to stage.
        var options = ExportStack.Options()
        options.jobs = 2
        options.transactions = 10
        let stack = try await ExportStack.start(folder: FileManager.default.temporaryDirectory.appendingPathComponent("staging-\(UUID().uuidString)"),
                                                options: options)
        do {
            let detail = stack.sandbox.requestStaging("sync_jobs")
            try await stack.pollProcore()
            #expect(stack.sandbox.requestDetail(detail)?.status == "failed")
            #expect(stack.sandbox.requestDetail(detail)?.messages.first?.contains("holds no Sage jobs yet") == true)
        } catch {
            await stack.shutdown()
            throw error
        }
        await stack.shutdown()
    }

    /// #14 item 2: a public-API company whose Procore records carry no origin codes links them in the hub.
    @Test func aPublicAPIProjectLinkedInTheHubExportsItsPCCOs() async throws {
        try await ExportEndToEndTests.withStack(.publicAPI) { stack in
            let ids = stack.sandbox.addUnlinkedProject(name: "Riverside Clinic (made in Procore)", items: [
                ("Sitework", Money(cents: 1_200_000_00), "02-200", "S"), ("Building", Money(cents: 3_050_000_00), "03-300", "M"),
            ])
            let home = stack.folder
            let db = ["--database", "sqlite:" + stack.storage.path, "--secret-key-file", stack.folder.appendingPathComponent("hub-secret.key").path]
            let site = ExportStack.siteName
            let wrongJob = await tieline(["hub", "sites", "procore-link", site, "--project", String(ids.projectID), "--job", "99-999",
                                          "--prime-contract", String(ids.contractID), "--contract", "24-118"] + db, home: home)
            #expect(wrongJob.status == 1)
            #expect(wrongJob.err.contains("--contract: Sage contract '24-118' belongs to job '24-118', not '99-999'"), "\(wrongJob.err)")
            let missing = await tieline(["hub", "sites", "procore-link", site, "--project", String(ids.projectID), "--job", "24-118",
                                         "--prime-contract", String(ids.contractID), "--contract", "77-777"] + db, home: home)
            #expect(missing.err.contains("Sage contract '77-777' is not in the hub's mirror"), "\(missing.err)")
            let linked = await tieline(["hub", "sites", "procore-link", site, "--project", String(ids.projectID), "--job", "24-118",
                                        "--prime-contract", String(ids.contractID), "--contract", "24-118"] + db, home: home)
            #expect(linked.status == 0, "\(linked.err)")
            #expect(linked.out.contains("items \(ids.itemIDs[0])→100, \(ids.itemIDs[1])→200"), "\(linked.out)")

            // Made in Procore, not imported: Procore keeps its PCCOs (no ERP request); the hub reads them through the API.
            let pcco = try stack.sandbox.createApprovedPCCO(PCCOSpec(projectID: ids.projectID, number: "021", title: "Added storm drain",
                                                                     lines: [.init(contractItem: "#\(ids.itemIDs[1])", amount: Money(cents: 3_000_00))],
                                                                     sendToERP: false))
            try await stack.pollProcore()
            let queued = try await DemoCommand.arrival(of: pcco.id, stack: stack)
            #expect(queued.export.job == "24-118" && queued.export.contract == "24-118")
            #expect(queued.export.lines.map(\.contractItem) == ["200"])
            _ = try await stack.hub.queue.accept(id: queued.id, site: stack.site, actor: "alice")
            let done = try await stack.waitFor(export: queued.id, [.synced, .failed])
            #expect(done.status == .synced, "\(done.error ?? "")")
        }
    }

    @Test func aQuickBillJobIsStagedAsItsBillingStructure() async throws {
        try await ExportEndToEndTests.withStack { stack in
            try stack.company.write { db in
                try Job(job: "25-950", description: "Service calls", customer: "C0001", billingMethod: "Quick bill", billingLevel: "Cost code",
                        originalContractAmount: Money(cents: 30_000_00)).insert(db)
                try CostCode(job: "25-950", costCode: "01-100", description: "Visits", originalScheduledValue: Money(cents: 10_000_00)).insert(db)
                try CostCode(job: "25-950", costCode: "01-200", description: "Parts", originalScheduledValue: Money(cents: 20_000_00)).insert(db)
            }
            _ = try await stack.sync()
            try await stack.stageAndImport()
            let contract = try #require(stack.sandbox.primeContracts.first { $0.originCode == "25-950" })
            #expect(contract.items.map(\.originCode) == ["01-100", "01-200"])
            #expect(contract.items.map(\.amount) == [Money(cents: 10_000_00), Money(cents: 20_000_00)])
            #expect(stack.sandbox.projects.contains { $0.originCode == "25-950" && $0.id == contract.projectID })
        }
    }

    /// Who changed a staged project record, by Sage job: (status, name in `data`).
    static func stagedProjects(_ stack: ExportStack) -> [String: (String, String?)] {
        var result: [String: (String, String?)] = [:]
        for r in stack.sandbox.stagedRecords where r.itemType == "project" {
            var name: String?
            if case .object(let f) = r.data, case .string(let n)? = f["name"] { name = n }
            result[r.originCode ?? r.originID] = (r.status, name)
        }
        return result
    }

    /// #14, create_job_in_procore (ERP Events Dictionary: sent when a user presses Add to Procore on a staged job;
    /// no request detail, no action required). The hub reads it as handled — noted in the staging history, no
    /// request closed as failed, the poll's cursor past it.
    @Test func importedJobsSendCreateJobInProcoreWhichTheHubNotes() async throws {
        try await ExportEndToEndTests.withStack(agent: false) { stack in
            let linked = stack.sandbox.projects.filter { $0.originCode != nil }
            let events = stack.sandbox.erpRequests.filter { $0.name == ERPEvent.createJobInProcoreName }
            #expect(!linked.isEmpty && events.count == linked.count, "one per project imported")
            let history = try await stack.storage.stagingHistory(site: stack.site, limit: ProcoreStagingEntry.keep)
            #expect(history.map(\.event) == ["create_job_in_procore", "sync_prime_contracts", "sync_jobs"], "newest first")
            let noted = try #require(history.first)
            #expect(!noted.failed)
            #expect(noted.summary == "\(linked.count) Procore projects created from Sage jobs")
            #expect(Set(noted.changes.compactMap(\.originCode)) == Set(linked.compactMap(\.originCode)))
            #expect(noted.changes.allSatisfy { $0.action == "imported" && $0.itemType == "project" })
            #expect(noted.changes.contains { $0.note == "Procore project \(linked[0].id) \"\(linked[0].name)\"" })
            let link = try #require(try await stack.storage.procoreLink(site: stack.site))
            #expect(link.cursor == events.last.map { String($0.id) } && link.lastPollError == nil)
        }
    }

    /// #14, sync_single_job (ERP Events Dictionary: the project's origin id in `id`, no request detail): only that
    /// job is staged again; the others are neither sent nor archived.
    @Test func syncSingleJobStagesThatJobOnly() async throws {
        try await ExportEndToEndTests.withStack(agent: false) { stack in
            let linked = stack.sandbox.projects.filter { $0.originCode != nil }.sorted { $0.originCode! < $1.originCode! }
            try #require(linked.count >= 2)
            let (asked, other) = (linked[0], linked[1])
            try stack.company.write { db in
                try db.execute(sql: "UPDATE JCM_MASTER__JOB SET Description = 'Renamed ' || Job WHERE Job IN (?, ?)",
                               arguments: [asked.originCode, other.originCode])
            }
            _ = try await stack.sync()
            let before = Self.stagedProjects(stack)
            try stack.sandbox.requestSingleJobSync(projectID: asked.id)
            try await stack.pollProcore()
            let after = Self.stagedProjects(stack)
            #expect(after[asked.originCode!]! == ("staged", "Renamed \(asked.originCode!)"), "offered again, as an update")
            #expect(after[other.originCode!]! == before[other.originCode!]!, "renamed too, but not asked for: untouched")
            #expect(after.values.allSatisfy { $0.0 != "archived" }, "a single job's sync archives nothing")
            #expect(stack.sandbox.readyToImport.map(\.originCode) == [asked.originCode])
            let entry = try #require(try await stack.storage.stagingHistory(site: stack.site, limit: 1).first)
            #expect(entry.event == "sync_single_job" && !entry.failed)
            #expect(entry.summary == "Jobs: 0 new records staged, 1 updated, 0 archived, 0 unchanged")
            #expect(entry.changes == [.init(action: "updated", itemType: "project", originCode: asked.originCode, originID: asked.originID!)])
        }
    }

    /// #14: records the sandbox refuses (a contract whose job was never staged) leave the rest staged, and the request
    /// detail is closed as failed with the summary and the reasons.
    @Test func aPartlyRefusedStagingClosesTheRequestAsFailedWithTheReasons() async throws {
        try await ExportEndToEndTests.withStack(agent: false) { stack in
            try Self.addJob(stack, job: "25-902", items: [("100", "02-200", 10_000_00)])
            try stack.company.write { db in
                try db.execute(sql: "UPDATE CNC_ACTIVE__CONTRACT SET Description = 'Riverside Clinic, revised' WHERE Contract = '24-118'")
            }
            _ = try await stack.sync()
            // Procore asks for prime contracts without having asked for jobs: 25-902's has no project to go under.
            let detail = stack.sandbox.requestStaging("sync_prime_contracts")
            try await stack.pollProcore()
            let closed = try #require(stack.sandbox.requestDetail(detail))
            #expect(closed.status == "failed")
            let message = closed.messages.first ?? ""
            #expect(message.hasPrefix("2 new records staged, 1 updated, 0 archived,"), "\(message)")
            #expect(message.contains("; 2 records refused: "), "\(message)")
            #expect(message.contains("is neither a staged nor a synced project"), "\(message)")
            #expect(message.contains("a line_item needs parent_id or parent_origin_id"), "\(message)")
            // What was accepted went through: 24-118's contract is offered again; nothing of 25-902 is staged.
            #expect(stack.sandbox.readyToImport.map(\.originCode) == ["24-118"])
            #expect(!stack.sandbox.stagedRecords.contains { $0.originCode == "25-902" })
            let entry = try #require(try await stack.storage.stagingHistory(site: stack.site, limit: 1).first)
            #expect(entry.failed && entry.event == "sync_prime_contracts")
            #expect(entry.changes.filter { $0.action == "refused" }.map(\.itemType).sorted() == ["line_item", "prime_contract"])
            #expect(entry.changes.contains { $0.action == "updated" && $0.originCode == "24-118" })
        }
    }

    /// #7 of the audit: the loop's poll (woken by the webhook) and two asked for at once run one after another, each
    /// from the cursor the last one left, so the request is answered once.
    @Test func pollsOfOneSiteAtOnceAnswerARequestOnce() async throws {
        try await ExportEndToEndTests.withStack(agent: false) { stack in
            let detail = stack.sandbox.requestStaging("sync_jobs")
            async let first: Void = stack.pollProcore()
            async let second: Void = stack.pollProcore()
            _ = try await (first, second)
            let closes = stack.sandbox.requestLog.filter { !$0.hasPrefix("GET") && $0.hasSuffix("/erp_request_details/\(detail)") }
            #expect(closes.count == 1, "\(closes)")
            #expect(stack.sandbox.requestDetail(detail)?.status == "success")
            let history = try await stack.storage.stagingHistory(site: stack.site, limit: ProcoreStagingEntry.keep)
            #expect(history.filter { $0.event == "sync_jobs" }.count == 2, "the stack's own staging, and this one once")
        }
    }

    /// #14: the hub console lists the recent stagings of a real staging — jobs and prime contracts both, with records.
    @Test func theConsoleListsRecentStagingsWithTheirRecords() async throws {
        var options = ExportStack.Options()
        options.jobs = 4
        options.transactions = 400
        options.consoleApprover = ("ann", "correct horse battery")
        let stack = try await ExportStack.start(folder: FileManager.default.temporaryDirectory.appendingPathComponent("staging-console-\(UUID().uuidString)"),
                                                options: options)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        do {
            _ = try await stack.sync()
            try await stack.stageAndImport()
            var cookies: [String: String] = [:]
            func call(_ path: String, form: [(String, String)]? = nil) async throws -> (status: UInt, body: String) {
                var request = HTTPClientRequest(url: stack.hub.baseURL + path)
                if !cookies.isEmpty { request.headers.add(name: "Cookie", value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
                if let form {
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                    let body = form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
                    request.body = .bytes(.init(string: body))
                }
                let response = try await http.execute(request, timeout: .seconds(10))
                for cookie in response.headers["set-cookie"] {
                    let pair = cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
                    if pair.count == 2 { cookies[String(pair[0])] = String(pair[1]) }
                }
                return (response.status.code, String(buffer: try await response.body.collect(upTo: 1 << 22)))
            }
            let signIn = try await call("/console/signin")
            let csrf = try #require(signIn.body.firstMatch(of: #/name="csrf" value="([^"]+)"/#).map { String($0.1) })
            let signedIn = try await call("/console/signin", form: [("csrf", csrf), ("site", ExportStack.siteName), ("user", "ann"),
                                                                   ("password", "correct horse battery")])
            #expect(signedIn.status == 303)
            let dashboard = try await call("/console/dashboard").body
            let history = try await stack.storage.stagingHistory(site: stack.site, limit: ProcoreStagingEntry.keep)
            let jobs = try #require(history.first { $0.event == "sync_jobs" })
            let contracts = try #require(history.first { $0.event == "sync_prime_contracts" })
            #expect(jobs.staged > 0 && contracts.staged > 0)
            // Both summaries: the prime contracts' staging does not hide the jobs'.
            #expect(dashboard.contains("<td>sync_jobs</td><td>\(jobs.summary)</td>"), "\(dashboard)")
            #expect(dashboard.contains("<td>sync_prime_contracts</td><td>\(contracts.summary)</td>"))
            #expect(dashboard.contains("<td>create_job_in_procore</td>"))
            #expect(dashboard.contains("<li>staged Project 24-118</li>"))
            #expect(dashboard.contains("<li>staged Prime Contract 24-118</li>"))
            #expect(dashboard.contains("<li>staged Line Item 100</li>"))
            #expect(dashboard.contains("<li>imported Project 24-118: Procore project"))
        } catch {
            try? await http.shutdown()
            await stack.shutdown()
            throw error
        }
        try await http.shutdown()
        await stack.shutdown()
    }
}
