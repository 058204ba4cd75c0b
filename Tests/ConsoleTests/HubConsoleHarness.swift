import ConsoleSupport
import Foundation
import Hub
import HubConsole
import SyncCore
import TielineCore

/// A hub with its web console on a free loopback port, two sites, and users of each role.
struct HubConsoleHarness {
    let storage: SQLiteHubStorage
    let server: HubServer
    /// Every test user's password.
    static let password = "correct horse battery"

    var base: String { server.baseURL }

    /// Starts the hub; `acme` gets users ann (approver), vic (viewer) and ada (admin); `globex` gets gus (approver).
    static func start(cost: UInt8 = 4) async throws -> HubConsoleHarness {
        let folder = makeTempFolder("tieline-console-tests")
        let storage = try SQLiteHubStorage(path: folder.appendingPathComponent("hub.sqlite").path)
        // bcrypt's lowest cost keeps the tests quick; production uses 12.
        let hasher = PasswordHasher(cost: cost)
        let console = HubConsole(storage: storage, accounts: storage, hasher: hasher)
        let server = try await HubServer.start(storage: storage, port: 0, configuration: HubConfiguration(procore: false)) { router, queue in
            console.install(on: router, queue: queue)
        }
        _ = try await storage.addSite("acme")
        _ = try await storage.addSite("globex")
        for (site, user, role) in [("acme", "ann", ConsoleRole.approver), ("acme", "vic", .viewer), ("acme", "ada", .admin), ("globex", "gus", .approver)] {
            _ = try await ConsoleUsers.add(site: site, name: user, role: role, password: password, accounts: storage, hasher: hasher)
        }
        return HubConsoleHarness(storage: storage, server: server)
    }

    func site(_ name: String) async throws -> HubSite {
        try await storage.sites().first { $0.name == name }!
    }

    /// Queues a PCCO as Ready to Export on `site` and returns its export id.
    func queuePCCO(site: String, pccoID: Int, number: String, title: String) async throws -> Int64 {
        let export = ChangeOrderExport(
            intake: .publicAPI, procoreProjectID: 11, projectName: "Riverside Clinic", job: "24-118", procoreContractID: 21,
            contract: "24-118", pccoID: pccoID, number: number, title: title, status: "approved",
            lines: [.init(procoreID: 1, description: "Storm drain", amount: try Money(parsing: "1250.00"), contractItem: "100",
                          costCode: "02-200", category: "S",
                          markups: [.init(procoreID: 2, name: "Fee", amount: try Money(parsing: "62.50"), costCode: "01-900", category: "O")])])
        let hubSite = try await self.site(site)
        let record = try await server.queue.receive(export, site: hubSite)
        // Nothing is mirrored here, so the hub asks Sage; Sage (played by the test) confirms what the mirror lacks.
        guard record.status == .checking else { return record.id }
        return try await server.queue.recordCheck(id: record.id, site: hubSite, agent: "agent", problems: record.problems).id
    }

    func status(_ id: Int64, site: String) async throws -> ExportStatus? {
        try await storage.export(id: id, site: try await self.site(site))?.status
    }

    /// Signs `user` of `site` in on `web`; returns the dashboard page.
    func signIn(_ web: WebClient, site: String, user: String) async throws -> WebClient.Page {
        let form = try await web.get("/console/signin")
        let signedIn = try await web.post("/console/signin", [("csrf", form.csrf ?? ""), ("site", site), ("user", user), ("password", Self.password)])
        precondition(signedIn.status == 303, "sign-in of \(user) failed with \(signedIn.status): \(signedIn.body)")
        return try await web.get("/console/dashboard")
    }

    func stop() async throws { try await server.shutdown() }
}
