import Agent
import AgentConsole
import ConsoleSupport
import Foundation
import Hub
import SageStore
import SageModel
import SyncCore
import Testing
import TielineCore

@Suite("Agent console: Sync against a real hub")
struct AgentConsoleSyncTests {
    @Test("Sync from the console sends the ticked entities to the hub and the progress page reports completion")
    func syncToHub() async throws {
        let folder = makeTempFolder("tieline-console-sync")
        let storage = try SQLiteHubStorage(path: folder.appendingPathComponent("hub.sqlite").path)
        let hub = try await HubServer.start(storage: storage, port: 0, configuration: HubConfiguration(procore: false))
        let token = try await storage.addSite("acme")
        let home = TielineHome(url: folder.appendingPathComponent("agent"))
        let companyPath = folder.appendingPathComponent("company.sqlite").path
        _ = try SampleCompanyGenerator.create(at: companyPath, spec: SampleCompanySpec(jobs: 3, transactions: 300, seed: 7, withPJ: true))
        let store = AgentConfigStore(home: home)
        try store.connect(url: hub.baseURL, site: "acme", token: token)
        _ = try store.addConnection(name: "Company", sagePath: companyPath)
        _ = try store.applyPCCOPreset(connection: "Company", strict: false, dryRun: false)
        _ = try store.setSyncSettings(connection: "Company", type: .deep, timeframe: .beginningOfTime)
        let console = AgentConsole(home: home, port: 0, hasher: PasswordHasher(cost: 4)) { hub, token in
            (HubClient(url: hub.url, token: token), "hub at \(hub.url)")
        }
        let running = try await console.start()
        try await withWeb(running.baseURL) { web in
            let setup = try await web.get("/setup")
            _ = try await web.post("/setup", [("csrf", setup.csrf ?? ""), ("password", "sync client admin"), ("confirm", "sync client admin")])
            let sync = try await web.get("/sync")
            let started = try await web.post("/sync", [("csrf", sync.csrf ?? ""), ("connection", "Company"), ("shown", "Company")]
                                             + ["Transaction (JC)", "Contract Item (CN)", "Customer"].map { ("entity", "Company|\($0)") })
            #expect(started.status == 303)
            let progressPath = try #require(started.location)
            var page = try await web.get(progressPath)
            // The page refreshes itself while the sync runs; poll it the way the browser would.
            for _ in 0..<600 where page.body.contains("http-equiv=\"refresh\"") {
                try await Task.sleep(for: .milliseconds(100))
                page = try await web.get(progressPath)
            }
            #expect(page.body.contains("Sync completed: "))
            #expect(page.body.contains(#"data-status="Completed""#))
        }
        let site = try await storage.sites().first { $0.name == "acme" }!
        let transactions = try await storage.mirrorRows(entity: "Transaction (JC)", key: [], page: 1, perPage: 1, site: site).total
        #expect(transactions > 0)
        #expect(try await storage.mirrorRows(entity: "Job (CV)", key: [], page: 1, perPage: 1, site: site).total == 0)
        let runs = try await storage.runs(site: site, limit: 5)
        #expect(runs.first?.type == "deep")
        #expect(Set(runs.first?.entities ?? []) == ["Transaction (JC)", "Contract Item (CN)", "Customer"])
        try await running.shutdown()
        try await hub.shutdown()
    }
}
