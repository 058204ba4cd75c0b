import Agent
import AgentConsole
import ConsoleSupport
import Foundation
import SageStore
import SageModel
import SyncCore
import Testing
import TielineCore

/// An agent console on a free loopback port over a fresh home folder with one Sage company.
struct AgentConsoleHarness {
    let home: TielineHome
    let running: RunningConsole
    let companyPath: String
    static let password = "sync client admin"

    static func start(pj: Bool = true, throttle: SignInThrottle = SignInThrottle()) async throws -> AgentConsoleHarness {
        let home = TielineHome(url: makeTempFolder("tieline-agent-console-tests"))
        let path = home.path("company.sqlite").path
        let modules = pj ? SageModule.standard.union([.pj]) : SageModule.standard
        _ = try SageCompany.create(at: path, name: "Test Builders", modules: modules)
        let console = AgentConsole(home: home, port: 0, hasher: PasswordHasher(cost: 4), signInThrottle: throttle) { _, _ in
            throw TielineError(.notConnected, "no hub in these tests")
        }
        return AgentConsoleHarness(home: home, running: try await console.start(), companyPath: path)
    }

    var base: String { running.baseURL }
    var store: AgentConfigStore { AgentConfigStore(home: home) }

    /// Sets the password on the setup page (first start) and leaves `web` signed in.
    func setUp(_ web: WebClient) async throws {
        let setup = try await web.get("/setup")
        let done = try await web.post("/setup", [("csrf", setup.csrf ?? ""), ("password", Self.password), ("confirm", Self.password)])
        precondition(done.status == 303, "setup failed: \(done.body)")
    }

    func stop() async throws { try await running.shutdown() }
}

@Suite("Agent console over HTTP")
struct AgentConsoleTests {
    @Test("first start shows only the setup page; the password is stored bcrypt-hashed, owner-only")
    func firstStart() async throws {
        let agent = try await AgentConsoleHarness.start()
        try await withWeb(agent.base) { web in
            let root = try await web.get("/connect")
            #expect(root.status == 303 && root.location == "/setup")
            #expect(try await web.get("/signin").location == "/setup")
            let setup = try await web.get("/setup")
            #expect(setup.body.contains(#"<label for="password">"#) && setup.body.contains(#"<label for="confirm">"#))
            let short = try await web.post("/setup", [("csrf", setup.csrf ?? ""), ("password", "short"), ("confirm", "short")])
            #expect(short.status == 400)
            try await agent.setUp(web)
            let cookie = try #require(web.cookies["tl_agent_session"])
            #expect(!cookie.isEmpty)
            #expect(try await web.get("/connect").status == 200)
        }
        let stored = try String(contentsOf: agent.home.path("console-password"), encoding: .utf8)
        #expect(stored.hasPrefix("$2b$") && !stored.contains(AgentConsoleHarness.password))
        let mode = try FileManager.default.attributesOfItem(atPath: agent.home.path("console-password").path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        try await withWeb(agent.base) { other in
            // Once set, the setup page is gone: a second visitor cannot replace the password.
            #expect(try await other.get("/setup").location == "/signin")
            #expect(try await other.get("/connections").location == "/signin")
            let form = try await other.get("/signin")
            let wrong = try await other.post("/signin", [("csrf", form.csrf ?? ""), ("password", "guessing wrong")])
            #expect(wrong.status == 401)
        }
        try await agent.stop()
    }

    @Test("a forged form without the CSRF token is refused with 403 and saves nothing")
    func forgedForm() async throws {
        let agent = try await AgentConsoleHarness.start()
        try await withWeb(agent.base) { web in
            try await agent.setUp(web)
            let forged = try await web.post("/connect", [("url", "http://evil.example"), ("site", "x"), ("token", "tl_stolen_token_value")])
            #expect(forged.status == 403)
            let forgedAdd = try await web.post("/connections", [("name", "Evil"), ("sage", agent.companyPath)])
            #expect(forgedAdd.status == 403)
        }
        #expect(try agent.store.load().hub == nil)
        #expect(try agent.store.load().connections.isEmpty)
        try await agent.stop()
    }

    @Test("Connect saves the hub and token through AgentConfigStore; the page shows the token masked")
    func connect() async throws {
        let agent = try await AgentConsoleHarness.start()
        let token = "tl_0123456789abcdefghij9f3a"
        try await withWeb(agent.base) { web in
            try await agent.setUp(web)
            let page = try await web.get("/connect")
            #expect(page.body.contains(#"<label for="url">Hub URL</label>"#))
            let saved = try await web.post("/connect", [("csrf", page.csrf ?? ""), ("url", "http://127.0.0.1:9"), ("site", "acme"), ("token", token)])
            #expect(saved.status == 303)
            let after = try await web.get("/connect")
            #expect(after.body.contains("tl_…9f3a"))
            #expect(!after.body.contains(token))
        }
        #expect(try agent.store.load().hub == HubConnection(url: "http://127.0.0.1:9", site: "acme"))
        #expect(try agent.store.loadToken() == token)
        try await agent.stop()
    }

    @Test("Local Connections and Advanced Mappings: ticks are added, field options cleared, removal asks first")
    func mappings() async throws {
        let agent = try await AgentConsoleHarness.start()
        try await withWeb(agent.base) { web in
            try await agent.setUp(web)
            var page = try await web.get("/connections")
            let added = try await web.post("/connections", [("csrf", page.csrf ?? ""), ("name", "Company"), ("sage", agent.companyPath)])
            #expect(added.status == 303)
            page = try await web.get("/mappings/advanced?connection=Company&highlight=Transaction%20(JC)")
            #expect(page.body.contains(#"<label for="entity-12">Transaction (JC)</label>"#))
            #expect(page.body.contains(#"<label for="field-1">Employee</label>"#))
            let ticks = ["Contract (CN)", "Contract Item (CN)", "Transaction (JC)"].map { ("entity", $0) }
            let fieldsOn = ["Pay ID", "Reference 1", "Reference 2"].map { ("field", $0) }
            let saved = try await web.post("/mappings/advanced", [("csrf", page.csrf ?? ""), ("connection", "Company"),
                                                                   ("highlight", "Transaction (JC)"), ("fields_for", "Transaction (JC)")] + ticks + fieldsOn)
            #expect(saved.status == 303)
            var mappings = try agent.store.connection("Company").mappings
            #expect(mappings.enabled == ["Contract (CN)", "Contract Item (CN)", "Transaction (JC)"])
            #expect(mappings.clearedFields["Transaction (JC)"] == Set(PCCOExportPreset.clearedOptions))
            // Unticking Contract Item (CN) shows what depends on it and saves nothing yet.
            let untick = try await web.post("/mappings/advanced", [("csrf", page.csrf ?? ""), ("connection", "Company"), ("highlight", "")]
                                            + ["Contract (CN)", "Transaction (JC)"].map { ("entity", $0) })
            #expect(untick.status == 200)
            #expect(untick.body.contains("PCCO export needs Contract Item (CN)"))
            #expect(try agent.store.connection("Company").mappings.enabled.contains("Contract Item (CN)"))
            let confirmed = try await web.post("/mappings/advanced", [("csrf", page.csrf ?? ""), ("connection", "Company"), ("highlight", ""),
                                                                      ("confirm", "yes")] + ["Contract (CN)", "Transaction (JC)"].map { ("entity", $0) })
            #expect(confirmed.status == 303)
            mappings = try agent.store.connection("Company").mappings
            #expect(!mappings.enabled.contains("Contract Item (CN)"))
            // The PCCO preset is one button, and only adds.
            let preset = try await web.post("/mappings/preset", [("csrf", page.csrf ?? ""), ("connection", "Company")])
            #expect(preset.status == 303)
            mappings = try agent.store.connection("Company").mappings
            #expect(mappings.enabled.count == EntityCatalog.all.count)
        }
        try await agent.stop()
    }

    @Test("Sync tab: Settings saves Deep and The beginning of time; Deselect All works without JavaScript")
    func syncSettings() async throws {
        let agent = try await AgentConsoleHarness.start()
        _ = try agent.store.addConnection(name: "Company", sagePath: agent.companyPath)
        _ = try agent.store.applyPCCOPreset(connection: "Company", strict: false, dryRun: false)
        try await withWeb(agent.base) { web in
            try await agent.setUp(web)
            let settings = try await web.get("/sync/settings?connection=Company")
            #expect(settings.body.contains(#"<label for="type-deep">Deep</label>"#))
            #expect(settings.body.contains(#"<label for="timeframe-beginning">The beginning of time</label>"#))
            let ok = try await web.post("/sync/settings", [("csrf", settings.csrf ?? ""), ("connection", "Company"), ("type", "deep"),
                                                           ("timeframe", "beginning-of-time"), ("since", ""), ("days", "90")])
            #expect(ok.status == 303 && ok.location == "/sync?selected=Company")
            #expect(try agent.store.connection("Company").settings == SyncSettings(type: .deep, timeframe: .beginningOfTime))
            let last = try await web.post("/sync/settings", [("csrf", settings.csrf ?? ""), ("connection", "Company"), ("type", "incremental"),
                                                             ("timeframe", "last"), ("days", "30")])
            #expect(last.status == 303)
            #expect(try agent.store.connection("Company").settings == SyncSettings(type: .incremental, timeframe: .last(30, .days)))
            let sync = try await web.get("/sync?selected=Company")
            #expect(sync.body.contains(#"value="Company|Transaction (JC)" checked"#))
            let deselected = try await web.post("/sync/select", [("csrf", sync.csrf ?? ""), ("connection", "Company"), ("shown", "Company"),
                                                                 ("deselect", "Company")]
                                                + ["Transaction (JC)", "Customer"].map { ("entity", "Company|\($0)") })
            #expect(deselected.status == 200)
            #expect(!deselected.body.contains(#"value="Company|Transaction (JC)" checked"#))
            #expect(deselected.body.contains(#"value="Company|Transaction (JC)">"#))
            // Nothing ticked: Sync says what to do instead of starting.
            let none = try await web.post("/sync", [("csrf", sync.csrf ?? ""), ("connection", "Company"), ("shown", "Company")])
            #expect(none.status == 400)
            #expect(none.body.contains("no entity of Company is ticked"))
        }
        try await agent.stop()
    }
}
