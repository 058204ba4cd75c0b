import Agent
import ArgumentParser
import Foundation
import UnixSignals
import Hub
import Procore
import ProcoreSandbox
import SageStore
import SageModel
import SyncCore
import TielineCore

/// `tieline demo`: the main job on embedded defaults, in one command.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run Tieline's main job on embedded defaults: a PCCO approved in Procore written into Sage.",
        discussion: """
            Everything runs on loopback under <home>/demo: a sample Sage 300 CRE company, the hub, a Procore \
            sandbox that starts without the company's jobs, and an agent set up as the setup guide says (Connect, \
            a Local Connection, the PCCO export preset, Deep from The beginning of time). A Deep sync mirrors the \
            ERP data; Procore's ERP tool asks for jobs and prime contracts (sync_jobs, sync_prime_contracts) and \
            the hub stages them from its mirror (ERP Staged Records); they are imported from Ready to Import, \
            which links each project to its Sage job (create_job_in_procore). A PCCO approved in Procore on an \
            imported contract then arrives (webhook), is validated against the mirror, written into Sage by the \
            agent in one transaction (Procore's approval is the only one: no second Accept), and reported back to \
            Procore as synced. Prints what was staged, the Sage records created and the time from arrival to Synced.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Jobs in the demo company.") var jobs: Int = 20
    @Option(help: "JC transactions in the demo company.") var transactions: Int = 20_000
    @Flag(help: "Leave hub, Procore sandbox and agent running (Ctrl-C stops them).") var keepRunning = false
    @Option(help: "Hub port (0 picks a free one; --keep-running defaults to 8080).") var hubPort: Int?
    @Option(help: "Procore sandbox port (0 picks a free one; --keep-running defaults to 8090).") var sandboxPort: Int?

    func run() async throws {
        try await reporting(json: false) {
            let folder = global.tielineHome.path("demo")
            var options = ExportStack.Options()
            options.jobs = jobs
            options.transactions = transactions
            options.hubPort = hubPort ?? (keepRunning ? 8080 : 0)
            options.sandboxPort = sandboxPort ?? (keepRunning ? 8090 : 0)
            // Kept running, the hub serves its console with a demo approver (a fresh password each run).
            let approverPassword = keepRunning ? SiteToken.generate().dropFirst(3).prefix(16).description : nil
            if let approverPassword { options.consoleApprover = ("approver", approverPassword) }

            print("1. Sample Sage 300 CRE company, hub, Procore sandbox, agent → \(folder.path)")
            let started = Date()
            let stack = try await ExportStack.start(folder: folder, options: options)
            do {
                print("   \(jobs) jobs, \(transactions) JC transactions; ready in \(Self.seconds(since: started))")
                print("   hub \(stack.hub.baseURL) (site '\(ExportStack.siteName)'), Procore sandbox \(stack.sandbox.baseURL.absoluteString) (ERP requests, webhook)")
                print("   agent: Connect ✓  Local Connection '\(ExportStack.connectionName)' ✓  Mappings: PCCO export preset ✓  Settings: Deep, The beginning of time ✓")

                print("\n2. Sync: Deep, from The beginning of time")
                let synced = Date()
                let run = try await stack.sync()
                guard run.status == .completed else { throw TielineError(.internalError, "the Deep sync did not complete: \(run.error ?? run.status.rawValue)") }
                print("   \(run.rowsSent) rows of \(run.entities.count) entities mirrored in \(Self.seconds(since: synced))")
                let staged = Date()
                let imported = try await stack.stageAndImport()
                let readyRecords = stack.sandbox.stagedRecords
                print("   Procore asks for jobs and prime contracts (sync_jobs, sync_prime_contracts): the hub stages " +
                      "\(readyRecords.filter { $0.itemType == "project" }.count) projects and \(readyRecords.filter { $0.itemType == "prime_contract" }.count) prime contracts " +
                      "(\(readyRecords.filter { $0.itemType == "line_item" }.count) line items) from its mirror; " +
                      "\(imported) imported from Ready to Import in \(Self.seconds(since: staged))")
                // What the hub console's dashboard lists under "Staged for Procore", oldest first.
                let history = try await stack.storage.stagingHistory(site: stack.site, limit: ProcoreStagingEntry.keep).reversed()
                for entry in history { print("   hub: \(entry.event) → \(entry.summary)") }

                try await stack.withAgent {
                    print("\n3. A PCCO approved in Procore on the imported contract arrives (Procore's accounting approver approved its export: no second Accept here)")
                    let pcco = try stack.sandbox.createApprovedPCCO(PCCOSpec(projectID: stack.sandbox.projects.first { $0.originCode == "24-118" }?.id,
                                                                             number: "007", title: "Added storm drain"))
                    let queued = try await Self.arrival(of: pcco.id, stack: stack)
                    print("   export \(queued.id), PCCO \(queued.export.number) \"\(queued.export.title)\" → job \(queued.export.job), contract \(queued.export.contract), \(queued.export.total)")
                    for line in queued.export.lines {
                        print("     \(line.label): amount \(line.amount) → item \(line.contractItem); cost \(line.extendedAmount) → \(line.costCode)/\(line.category)")
                        for m in line.markups { print("       markup \(m.name) \(m.amount) (in the amount) → cost \(m.costCode)/\(m.category)") }
                    }
                    print(queued.problems.isEmpty ? "   validation against the mirror: passes" : "   validation: " + queued.problems.map(\.message).joined(separator: "; "))

                    print("\n4. Transaction Date \(queued.export.transactionDate.map { "\($0)" } ?? "today") from Procore → agent writes into Sage → Procore told → Synced")
                    let done = try await stack.waitFor(export: queued.id, [.synced, .failed])
                    guard done.status == .synced, let result = done.result, let syncedAt = done.syncedAt else {
                        throw TielineError(.internalError, "the export ended \(done.status.label): \(done.error ?? done.writeBack?.lastError ?? "")")
                    }
                    print("   arrival → Synced in \(String(format: "%.0f ms", syncedAt.timeIntervalSince(done.createdAt) * 1000))")
                    try DemoPCCO.printRecords(stack.company, result)
                    if let detail = stack.sandbox.changeOrders.first(where: { $0.id == pcco.id }) {
                        print("   Procore: PCCO \(detail.number) origin id \(detail.originID ?? "(none)")")
                    }
                    for event in try await stack.storage.exportEvents(id: done.id, site: stack.site) {
                        print("   audit: \(event.actor) \(event.action)\(event.detail.map { ": \($0)" } ?? "")")
                    }

                    print("\n5. Post Entries")
                    let posting = try stack.company.postEntries(batch: result.batch)
                    print("   posted \(posting.transactions) entries as JC run \(posting.run)")
                    try DemoPCCO.printRollups(stack.company, export: done.export, result: result)

                    if keepRunning {
                        print("\nRunning: hub \(stack.hub.baseURL), Procore sandbox \(stack.sandbox.baseURL.absoluteString); agent home \(stack.agentHome.url.path).")
                        if let approverPassword {
                            print("Hub console: \(stack.hub.baseURL)/console — site \(ExportStack.siteName), user approver, password \(approverPassword)")
                        }
                        print("New PCCOs: curl -X POST \(stack.sandbox.baseURL.absoluteString)/sandbox/pccos (they arrive by webhook). Ctrl-C stops.")
                        // Flush now: a piped stdout would otherwise hold these lines until the demo ends.
                        fflush(nil)
                        try await Self.waitForInterrupt()
                    }
                }
            } catch {
                await stack.shutdown()
                throw error
            }
            await stack.shutdown()
        }
    }

    /// Waits for the PCCO to be queued by the hub (the sandbox's webhook triggers the poll).
    static func arrival(of pccoID: Int, stack: ExportStack) async throws -> HubExport {
        try await stack.arrival(of: pccoID)
    }

    static func seconds(since start: Date) -> String { String(format: "%.2f s", Date().timeIntervalSince(start)) }

    /// Returns at the first SIGINT or SIGTERM (swift-service-lifecycle's signal sequence, as the servers use).
    static func waitForInterrupt() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sigint, .sigterm) { return }
    }
}
