import Foundation
import Testing

@Suite struct SetupCommandsTests {
    @Test func connectShowMasksTheToken() async throws {
        let home = try makeHomeWithCompany(pj: false)
        let token = "tl_4b1c2d3e4f5a6b7c9f3a"
        let connect = await tieline(["connect", "--hub", "https://hub.example.com/", "--site", "acme", "--token", token], home: home)
        #expect(connect.status == 0)
        #expect(connect.err.contains("warning: a token given on the command line shows in `ps`"), "\(connect.err)")
        let show = await tieline(["connect", "--show"], home: home)
        #expect(show.out == "Hub: https://hub.example.com\nSite: acme\nToken: tl_…9f3a\n")
        let json = await tieline(["connect", "--show", "--json"], home: home)
        #expect(json.out.contains("\"token\" : \"tl_…9f3a\""))
        for result in [connect, show, json] {
            #expect(!(result.out + result.err).contains(token), "the full token must never be printed")
            #expect(!(result.out + result.err).contains("4b1c2d3e4f5a6b7c"))
        }
    }

    @Test func badHubURLIsAnErrorLine() async throws {
        let home = try makeHomeWithCompany(pj: false)
        let result = await tieline(["connect", "--hub", "hub.example.com", "--site", "acme", "--token", "tl_x"], home: home)
        #expect(result.status != 0)
        #expect(result.err.hasPrefix("error: 'hub.example.com' is not a hub URL"))
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent("hub-token").path))
    }

    @Test func jsonErrorsCarryCodeAndMessage() async throws {
        let home = try makeHomeWithCompany(pj: false)
        let result = await tieline(["mappings", "show", "--connection", "Nope", "--json"], home: home)
        #expect(result.status != 0)
        struct Envelope: Decodable { struct Body: Decodable { let code: String; let message: String }; let error: Body }
        let envelope = try JSONDecoder().decode(Envelope.self, from: Data(result.out.utf8))
        #expect(envelope.error.code == "not_found")
        #expect(envelope.error.message.contains("Nope"))
    }

    @Test func guideStepsThreeToFiveEndToEnd() async throws {
        let home = try makeHomeWithCompany(pj: true)
        let company = home.appendingPathComponent("company.sqlite").path
        #expect(await tieline(["connections", "add", "Company", "--sage", company], home: home).status == 0)

        let dry = await tieline(["mappings", "preset", "pcco-export", "--connection", "Company", "--dry-run"], home: home)
        #expect(dry.out.contains("+ Contract Item (CN)"))
        #expect(await tieline(["mappings", "show", "--connection", "Company"], home: home).out.contains("  [ ] Contract Item (CN)"),
                "--dry-run must save nothing")

        let first = await tieline(["mappings", "preset", "pcco-export", "--connection", "Company"], home: home)
        #expect(first.status == 0)
        #expect(first.out.contains("+ Contract Change Request (PJ)"))
        #expect(first.out.contains("○ Transaction (JC) › Credit Account (cleared)"))
        let second = await tieline(["mappings", "preset", "pcco-export", "--connection", "Company"], home: home)
        #expect(second.out.hasPrefix("no changes\n"))

        let show = await tieline(["mappings", "show", "--connection", "Company"], home: home).out
        #expect(show.contains("  [x] Quick Bill Contract Item"))
        #expect(show.contains("        ● Pay ID (on)"))
        #expect(show.contains("        ○ Employee (cleared)"))

        let set = await tieline(["sync", "settings", "--connection", "Company", "--type", "deep", "--timeframe", "beginning-of-time"], home: home)
        #expect(set.status == 0)
        let settings = await tieline(["sync", "settings", "--connection", "Company", "--show"], home: home)
        #expect(settings.out == "Settings for Company:\n  Sync Type: Deep\n  Timeframe: The beginning of time\n")
        let bad = await tieline(["sync", "settings", "--connection", "Company", "--timeframe", "last:10w"], home: home)
        #expect(bad.status != 0 && bad.err.hasPrefix("error: timeframe 'last:10w'"))
    }

    @Test func disableWithoutAllowRemovalChangesNothing() async throws {
        let home = try makeHomeWithCompany(pj: false)
        let company = home.appendingPathComponent("company.sqlite").path
        _ = await tieline(["connections", "add", "Company", "--sage", company], home: home)
        _ = await tieline(["mappings", "enable", "--connection", "Company", "contract item", "CUSTOMER"], home: home)
        let config = try Data(contentsOf: home.appendingPathComponent("agent.json"))

        let refused = await tieline(["mappings", "disable", "--connection", "Company", "Contract Item (CN)"], home: home)
        #expect(refused.status != 0)
        #expect(refused.err.contains("PCCO export needs Contract Item (CN)"))
        #expect(refused.err.contains("--allow-removal"))
        #expect(try Data(contentsOf: home.appendingPathComponent("agent.json")) == config)

        let allowed = await tieline(["mappings", "disable", "--connection", "Company", "Contract Item (CN)", "--allow-removal"], home: home)
        #expect(allowed.status == 0)
        #expect(allowed.err.contains("warning: PCCO export needs Contract Item (CN)"))
        #expect(allowed.out.contains("- Contract Item (CN) (unticked)"))
    }

    @Test func unknownEntitySuggestsTheClosest() async throws {
        let home = try makeHomeWithCompany(pj: false)
        _ = await tieline(["connections", "add", "Company", "--sage", home.appendingPathComponent("company.sqlite").path], home: home)
        let result = await tieline(["mappings", "enable", "--connection", "Company", "Custmer Type"], home: home)
        #expect(result.status != 0)
        #expect(result.err.contains("did you mean 'Customer Type'"))
    }

    @Test func connectionsListAndTest() async throws {
        let home = try makeHomeWithCompany(pj: false)
        _ = await tieline(["connections", "add", "Company", "--sage", home.appendingPathComponent("company.sqlite").path], home: home)
        let list = await tieline(["connections", "list", "--json"], home: home)
        #expect(list.out.contains("\"name\" : \"Company\""))
        let test = await tieline(["connections", "test", "Company"], home: home)
        #expect(test.status == 0)
        #expect(test.out.contains("Modules: JC, CN, AP, AR (no Project Management (PJ))"))
        let notSage = home.appendingPathComponent("agent.json").path
        let refused = await tieline(["connections", "add", "Bad", "--sage", notSage], home: home)
        #expect(refused.status != 0 && refused.err.contains("is not a Sage 300 CRE company"))
    }

    @Test func doctorExitsNonZeroAndPrintsFixes() async throws {
        let home = try makeHomeWithCompany(pj: false)
        _ = await tieline(["connections", "add", "Company", "--sage", home.appendingPathComponent("company.sqlite").path], home: home)
        let result = await tieline(["doctor", "--connection", "Company"], home: home)
        #expect(result.status != 0)
        #expect(result.out.contains("FAIL  [Company] Approved CN contract"))
        #expect(result.out.contains("fix: tieline mappings preset pcco-export --connection Company"))
        #expect(result.out.contains("fix: tieline connect --hub"))
    }

    @Test func aHandBrokenConfigIsNamedWithItsLineAndNotOverwritten() async throws {
        let home = try makeHomeWithCompany(pj: false)
        let config = home.appendingPathComponent("agent.json")
        let broken = "{\n  \"connections\": [],\n  \"hub\": {\"url\": \"https://h\", \"site\": }\n}\n"
        try Data(broken.utf8).write(to: config)
        let result = await tieline(["connections", "add", "Company", "--sage", home.appendingPathComponent("company.sqlite").path], home: home)
        #expect(result.status != 0)
        #expect(result.err.hasPrefix("error: \(config.path): line 3: not valid JSON"), "got: \(result.err)")
        #expect(String(decoding: try Data(contentsOf: config), as: UTF8.self) == broken)
    }

    @Test func testingAConnectionWhoseFileIsGoneSaysSo() async throws {
        let home = try makeHomeWithCompany(pj: false)
        let company = home.appendingPathComponent("company.sqlite")
        _ = await tieline(["connections", "add", "Company", "--sage", company.path], home: home)
        try FileManager.default.removeItem(at: company)
        let result = await tieline(["connections", "test", "Company", "--json"], home: home)
        #expect(result.status != 0)
        #expect(result.out.contains("\"code\" : \"sage_company_missing\""))
        let doctor = await tieline(["doctor", "--connection", "Company"], home: home)
        #expect(doctor.out.contains("FAIL  [Company] Sage connection opens: no Sage company at \(company.path)"))
    }
}

/// `agent run --console-host` off loopback (#17): the console password must exist before it listens.
@Suite struct AgentConsoleHostTests {
    @Test func aConsoleOffLoopbackNeedsItsPasswordFirst() async throws {
        let home = try makeHomeWithCompany(pj: false)
        defer { try? FileManager.default.removeItem(at: home) }
        let result = await tieline(["agent", "run", "--console", "--console-host", "10.9.9.9", "--no-exports"], home: home)
        #expect(result.status != 0)
        #expect(result.err.contains("--console-host 10.9.9.9 is reachable from other machines: set the console password first (--console-password-stdin)"),
                "\(result.err)")
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent("console-password").path))
    }
}
