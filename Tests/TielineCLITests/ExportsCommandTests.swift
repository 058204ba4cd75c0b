import Foundation
import Hub
import ProcoreSandbox
import Testing
@testable import TielineCLI
import TielineCore

/// `tieline exports …` and `tieline hub sites procore` against a hub database.
@Suite("exports and hub sites procore commands")
struct ExportsCommandTests {
    @Test func theApproverListsShowsAndAcceptsFromTheCLI() async throws {
        try await ExportEndToEndTests.withStack(hubApproval: true) { stack in
            let pcco = try ExportEndToEndTests.createPCCO(stack, number: "031")
            let queued = try await DemoCommand.arrival(of: pcco.id, stack: stack)
            let home = stack.folder
            let db = ["--database", "sqlite:" + stack.storage.path]

            let list = await tieline(["exports", "list"] + db, home: home)
            #expect(list.status == 0, "\(list.err)")
            #expect(list.out.contains("| \(queued.id)"))
            #expect(list.out.contains("Ready to Export"))

            let json = await tieline(["exports", "list", "--json", "--status", "all"] + db, home: home)
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [[String: Any]])
            #expect(rows.first?["statusLabel"] as? String == "Ready to Export")
            #expect(rows.first?["number"] as? String == "031")

            let badDate = await tieline(["exports", "accept", String(queued.id), "--transaction-date", "2026-02-30"] + db, home: home)
            #expect(badDate.status == 1)
            #expect(badDate.err.contains("--transaction-date"))

            let accept = await tieline(["exports", "accept", String(queued.id), "--transaction-date", "2026-12-02", "--as", "carol"] + db, home: home)
            #expect(accept.status == 0, "\(accept.err)")
            #expect(accept.out.contains("Accepted PCCO 031"))
            // The running hub sees an Accept made by another process and its agent writes it.
            let done = try await stack.waitFor(export: queued.id, [.synced, .failed])
            #expect(done.status == .synced)

            let show = await tieline(["exports", "show", String(queued.id)] + db, home: home)
            #expect(show.status == 0)
            #expect(show.out.contains("Status:           Synced"))
            #expect(show.out.contains("carol (cli)  accepted: transaction date 2026-12-02"))
            #expect(show.out.contains("In Sage:          change order 031 on contract 24-118"))

            let again = await tieline(["exports", "accept", String(queued.id)] + db, home: home)
            #expect(again.status == 1)
            #expect(again.err.contains("is Synced; only Ready to Export can be accepted"))
            let missing = await tieline(["exports", "show", "999"] + db, home: home)
            #expect(missing.err.contains("no export 999 in site 'demo-construction'"))
        }
    }

    @Test func linkingASiteToProcoreNeverShowsTheSecret() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("procore-link-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        #expect(await tieline(["hub", "sites", "add", "acme"], home: home).status == 0)
        let secret = "very-secret-client-secret-42"
        let linked = await tieline(["hub", "sites", "procore", "acme", "--base-url", "https://api.procore.com", "--company-id", "4201",
                                    "--client-id", "abc", "--client-secret", secret, "--style", "public-api", "--webhook"], home: home)
        #expect(linked.status == 0, "\(linked.err)")
        #expect(!linked.out.contains(secret))
        #expect(linked.out.contains("Webhook token, shown only this once"))
        let database = try Data(contentsOf: home.appendingPathComponent("hub.sqlite"))
        #expect(database.range(of: Data(secret.utf8)) == nil, "the secret is stored sealed")
        let storage = try SQLiteHubStorage(path: home.appendingPathComponent("hub.sqlite").path)
        let link = try #require(try await storage.linkedSites().first?.link)
        #expect(link.style == .publicAPI)
        #expect(link.pollSeconds == 60)
        let box = try HubSecretBox.load(keyFile: home.appendingPathComponent("hub-secret.key"))
        #expect(try box.open(link.sealedSecret) == secret)

        let badStyle = await tieline(["hub", "sites", "procore", "acme", "--base-url", "https://api.procore.com", "--company-id", "4201",
                                      "--client-id", "abc", "--client-secret", "x", "--style", "soap"], home: home)
        #expect(badStyle.status == 1)
        #expect(badStyle.err.contains("--style 'soap': use erp-requests or public-api"))
        let badURL = await tieline(["hub", "sites", "procore", "acme", "--base-url", "ftp://x", "--company-id", "4201",
                                    "--client-id", "abc", "--client-secret", "x"], home: home)
        #expect(badURL.err.contains("--base-url 'ftp://x' is not an http(s) URL"))
    }

    @Test func procoreLinksAreListedWithoutSecretsAndCanBeRemoved() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("procore-links-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        #expect(await tieline(["hub", "sites", "add", "acme"], home: home).status == 0)
        let none = await tieline(["hub", "sites", "procore-links"], home: home)
        #expect(none.out.contains("No site is linked to Procore"))
        let secret = "very-secret-client-secret-42"
        let linked = await tieline(["hub", "sites", "procore", "acme", "--base-url", "https://api.procore.com", "--company-id", "4201",
                                    "--client-id", "abc", "--client-secret", secret, "--webhook"], home: home)
        #expect(linked.status == 0, "\(linked.err)")
        let token = try #require(linked.out.split(separator: "\n").last.map(String.init))

        let list = await tieline(["hub", "sites", "procore-links"], home: home)
        #expect(list.out.contains("acme  Procore company 4201 at https://api.procore.com  erp-requests, every 60 s, approval: Procore's approval, webhook: yes  not polled yet"),
                "\(list.out)")
        let json = await tieline(["hub", "sites", "procore-links", "--json"], home: home)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [[String: Any]])
        #expect(rows.first?["companyID"] as? Int == 4201 && rows.first?["webhook"] as? Bool == true)
        for output in [list.out, json.out] {
            #expect(!output.contains(secret) && !output.contains(token) && !output.contains(SiteToken.hash(token)))
        }

        let removed = await tieline(["hub", "sites", "procore-unlink", "acme"], home: home)
        #expect(removed.out.contains("Removed the Procore link of site 'acme'"))
        #expect(await tieline(["hub", "sites", "procore-links"], home: home).out.contains("No site is linked to Procore"))
        #expect(await tieline(["hub", "sites", "procore-unlink", "acme"], home: home).out.contains("was not linked to Procore"))
        let unknown = await tieline(["hub", "sites", "procore-unlink", "nobody"], home: home)
        #expect(unknown.status == 1 && unknown.err.contains("no site named 'nobody'"))
    }

    @Test func linkingWithAWebhookURLRegistersTheHookThroughProcoresWebhooksAPI() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("procore-hook-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let sandbox = try await ProcoreSandbox.start()
        defer { Task { await sandbox.shutdown() } }
        #expect(await tieline(["hub", "sites", "add", "acme"], home: home).status == 0)
        let config = sandbox.clientConfiguration()
        let args = ["hub", "sites", "procore", "acme", "--base-url", sandbox.baseURL.absoluteString, "--company-id", String(config.companyID),
                    "--client-id", config.clientID, "--client-secret", config.clientSecret.revealed,
                    "--webhook-url", "https://hub.example.com/procore/webhook"]
        let linked = await tieline(args, home: home)
        #expect(linked.status == 0, "\(linked.err)")
        #expect(linked.out.contains("Registered the hub's webhook with Procore"))
        #expect(!linked.out.contains("tlw_"), "the token goes to Procore only")
        #expect(sandbox.erpRequestHooks.map(\.url) == ["https://hub.example.com/procore/webhook"])
        // Linking again replaces the hook rather than adding a second one.
        #expect(await tieline(args, home: home).status == 0)
        #expect(sandbox.erpRequestHooks.count == 1)
        #expect(sandbox.erpRequestHooks.first?.namespace == "tieline-hub")
    }

    @Test func rejectRetrieveAndTheirRefusalsFromTheCLI() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("exports-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let path = home.appendingPathComponent("hub.sqlite").path
        let storage = try SQLiteHubStorage(path: path)
        _ = try await storage.addSite("acme")
        let site = try #require(try await storage.sites().first)
        let queue = ExportQueue(storage: storage)
        var second = try DemoPCCO.export()
        second.pccoID += 1
        second.number = "008"
        let one = try await queue.receive(try DemoPCCO.export(), site: site)
        let two = try await queue.receive(second, site: site)
        let db = ["--database", "sqlite:" + path]

        let rejected = await tieline(["exports", "reject", String(one.id), "--comment", "wrong cost code", "--as", "dana"] + db, home: home)
        #expect(rejected.status == 0, "\(rejected.err)")
        #expect(rejected.out == "Rejected PCCO 007; Procore is told and the PCCO is editable again.\n")
        let retrieved = await tieline(["exports", "retrieve", String(two.id), "--json"] + db, home: home)
        #expect(retrieved.out.contains("\"statusLabel\" : \"Retrieved\""))
        let unlink = await tieline(["exports", "unlink", String(one.id)] + db, home: home)
        #expect(unlink.status == 1)
        #expect(unlink.err.contains("is Rejected; only Synced can be unlinked"))
        let archived = await tieline(["exports", "list", "--status", "archived"] + db, home: home)
        #expect(archived.out.contains("Rejected") && archived.out.contains("Retrieved"))
        // One status exactly, as a script asks; dates in ISO 8601.
        let onlyRejected = await tieline(["exports", "list", "--status", "rejected", "--json"] + db, home: home)
        #expect(onlyRejected.status == 0, "\(onlyRejected.err)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(onlyRejected.out.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["statusLabel"] as? String } == ["Rejected"])
        let updated = try #require(rows.first?["updatedAt"] as? String)
        #expect(updated.wholeMatch(of: #/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/#) != nil, "\(updated)")
        let retry = await tieline(["exports", "retry", String(one.id)] + db, home: home)
        #expect(retry.status == 1)
        #expect(retry.err.contains("is Rejected; only Failed to Export can be retried"), "\(retry.err)")
        let events = try await storage.exportEvents(id: one.id, site: site)
        #expect(events.last?.actor == "dana (cli)")
        #expect(events.last?.detail == "wrong cost code")
    }
}
