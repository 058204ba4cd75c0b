import Foundation
import GRDB
import Hub
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

            let pcco = try stack.sandbox.createApprovedPCCO(PCCOSpec(projectID: ids.projectID, number: "021", title: "Added storm drain",
                                                                     lines: [.init(contractItem: "#\(ids.itemIDs[1])", amount: Money(cents: 3_000_00))]))
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
}
