import Foundation
import Hub
import Testing
import TielineCore

@Suite("Hub console over HTTP")
struct HubConsoleTests {
    @Test("an unauthenticated request is redirected to sign-in")
    func unauthenticatedRedirects() async throws {
        let hub = try await HubConsoleHarness.start()
        try await withWeb(hub.base) { web in
            for path in ["/console/", "/console/dashboard", "/console/exports?filter=ready", "/console/exports/1", "/console/users"] {
                let page = try await web.get(path)
                #expect(page.status == 303, "\(path)")
                #expect(page.location == "/console/signin", "\(path)")
            }
            let signIn = try await web.get("/console/signin")
            #expect(signIn.status == 200)
            #expect(signIn.body.contains(#"<label for="password">Password</label>"#))
        }
        try await hub.stop()
    }

    @Test("sign-in sets a Secure, HttpOnly, SameSite=Strict session cookie; a wrong password is refused")
    func signIn() async throws {
        let hub = try await HubConsoleHarness.start()
        try await withWeb(hub.base) { web in
            let form = try await web.get("/console/signin")
            let wrong = try await web.post("/console/signin", [("csrf", form.csrf ?? ""), ("site", "acme"), ("user", "ann"), ("password", "not it at all")])
            #expect(wrong.status == 401)
            #expect(wrong.body.contains("not right"))
            let right = try await web.post("/console/signin", [("csrf", form.csrf ?? ""), ("site", "acme"), ("user", "ann"),
                                                               ("password", HubConsoleHarness.password)])
            #expect(right.status == 303)
            let cookie = try #require(right.setCookies.first { $0.hasPrefix("tl_hub_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("Secure") && cookie.contains("SameSite=Strict"))
            let dashboard = try await web.get("/console/dashboard")
            #expect(dashboard.status == 200)
            #expect(dashboard.body.contains("ann (Accounting approver)"))
            #expect(dashboard.body.contains("<svg class=\"chart\" id=\"throughput-chart\""))
        }
        try await hub.stop()
    }

    @Test("the dashboard lists the recent stagings for Procore's Ready to Import, each with its records; a failed one is marked")
    func dashboardShowsStaging() async throws {
        let hub = try await HubConsoleHarness.start()
        try await withWeb(hub.base) { web in
            _ = try await hub.signIn(web, site: "acme", user: "ann")
            #expect(try await web.get("/console/dashboard").body.contains("Nothing staged yet"))
            let acme = try await hub.site("acme")
            var jobs = ProcoreStagingEntry(at: Date(), event: "sync_jobs", summary: "Jobs: 1 new record staged, 0 updated, 0 archived, 3 unchanged", failed: false)
            jobs.changes = [.init(action: "staged", itemType: "project", originCode: "25-900", originID: "row-1")]
            try await hub.storage.recordStaging(jobs, keep: ProcoreStagingEntry.keep, site: acme)
            var contracts = ProcoreStagingEntry(at: Date(), event: "sync_prime_contracts",
                                                summary: "Prime contracts: 0 new records staged, 0 updated, 0 archived, 0 unchanged; 1 record refused", failed: true)
            contracts.changes = [.init(action: "refused", itemType: "prime_contract", originCode: "25-901", originID: "row-2", note: "no project")]
            contracts.moreChanges = 4
            try await hub.storage.recordStaging(contracts, keep: ProcoreStagingEntry.keep, site: acme)
            let page = try await web.get("/console/dashboard").body
            #expect(!page.contains("Nothing staged yet"))
            #expect(page.contains("<td>sync_jobs</td><td>Jobs: 1 new record staged, 0 updated, 0 archived, 3 unchanged</td>"), "the older one stays")
            #expect(page.contains("<li>staged Project 25-900</li>"))
            #expect(page.contains(#"<tr class="problem">"#) && page.contains("<li>refused Prime Contract 25-901: no project</li>"))
            #expect(page.contains("and 4 more"))
            #expect(page.range(of: "sync_prime_contracts")!.lowerBound < page.range(of: "<td>sync_jobs")!.lowerBound, "newest first")
            // Another site's stagings are not shown.
            try await hub.storage.recordStaging(ProcoreStagingEntry(at: Date(), event: "sync_jobs", summary: "Jobs: staged for globex only", failed: false),
                                                keep: ProcoreStagingEntry.keep, site: try await hub.site("globex"))
            #expect(!(try await web.get("/console/dashboard").body.contains("staged for globex only")))
        }
        try await hub.stop()
    }

    @Test("a viewer cannot Accept: 403 and the PCCO stays Ready to Export")
    func viewerCannotAccept() async throws {
        let hub = try await HubConsoleHarness.start()
        let id = try await hub.queuePCCO(site: "acme", pccoID: 7001, number: "007", title: "Added storm drain")
        try await withWeb(hub.base) { web in
            _ = try await hub.signIn(web, site: "acme", user: "vic")
            let detail = try await web.get("/console/exports/\(id)")
            #expect(detail.status == 200)
            #expect(!detail.body.contains(#"id="accept""#))
            let accept = try await web.post("/console/exports/\(id)/accept", [("csrf", detail.csrf ?? ""), ("transaction_date", "2026-11-27")])
            #expect(accept.status == 403)
            let reject = try await web.post("/console/exports/\(id)/reject", [("csrf", detail.csrf ?? ""), ("comment", "no")])
            #expect(reject.status == 403)
        }
        #expect(try await hub.status(id, site: "acme") == .ready)
        try await hub.stop()
    }

    @Test("an approver's Reject goes through the export queue with the approver as actor")
    func approverRejects() async throws {
        let hub = try await HubConsoleHarness.start()
        let id = try await hub.queuePCCO(site: "acme", pccoID: 7002, number: "008", title: "Extra footing")
        try await withWeb(hub.base) { web in
            _ = try await hub.signIn(web, site: "acme", user: "ann")
            let list = try await web.get("/console/exports?filter=ready")
            #expect(list.body.contains("Extra footing"))
            let detail = try await web.get("/console/exports/\(id)")
            #expect(detail.body.contains(#"<label for="transaction-date-input">Transaction Date</label>"#))
            let reject = try await web.post("/console/exports/\(id)/reject", [("csrf", detail.csrf ?? ""), ("comment", "Wrong cost code")])
            #expect(reject.status == 303)
            let after = try await web.get("/console/exports/\(id)")
            #expect(after.body.contains("Rejected"))
            #expect(after.body.contains("<td>ann</td><td>rejected</td><td>Wrong cost code</td>"))
            let archived = try await web.get("/console/exports?filter=archived")
            #expect(archived.body.contains("Extra footing"))
        }
        #expect(try await hub.status(id, site: "acme") == .rejected)
        try await hub.stop()
    }

    @Test("Accept defaults the Transaction Date to today and shows why an invalid PCCO cannot be accepted")
    func acceptShowsValidation() async throws {
        let hub = try await HubConsoleHarness.start()
        // The mirror is empty, so job 24-118 and its contract are unknown to the hub.
        let id = try await hub.queuePCCO(site: "acme", pccoID: 7006, number: "012", title: "Curb cut")
        try await withWeb(hub.base) { web in
            _ = try await hub.signIn(web, site: "acme", user: "ann")
            let detail = try await web.get("/console/exports/\(id)")
            #expect(detail.body.contains(#"name="transaction_date" value="\#(CalendarDate.today())""#))
            #expect(detail.body.contains(#"<ul id="problems"><li class="problem">"#))
            let accept = try await web.post("/console/exports/\(id)/accept", [("csrf", detail.csrf ?? ""), ("transaction_date", "2026-11-02")])
            #expect(accept.status == 303)
            let after = try await web.get(try #require(accept.location))
            #expect(after.body.contains("cannot be accepted"))
            let bad = try await web.post("/console/exports/\(id)/accept", [("csrf", detail.csrf ?? ""), ("transaction_date", "02/11/2026")])
            #expect(bad.status == 303)
            #expect(try await web.get(try #require(bad.location)).body.contains("Transaction Date"))
        }
        #expect(try await hub.status(id, site: "acme") == .ready)
        try await hub.stop()
    }

    @Test("a forged form without the CSRF token is refused with 403 and changes nothing")
    func forgedFormRefused() async throws {
        let hub = try await HubConsoleHarness.start()
        let id = try await hub.queuePCCO(site: "acme", pccoID: 7003, number: "009", title: "Handrail")
        try await withWeb(hub.base) { web in
            _ = try await hub.signIn(web, site: "acme", user: "ann")
            let missing = try await web.post("/console/exports/\(id)/reject", [("comment", "forged")])
            #expect(missing.status == 403)
            let wrong = try await web.post("/console/exports/\(id)/reject", [("csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), ("comment", "forged")])
            #expect(wrong.status == 403)
            #expect(wrong.body.contains("security token"))
        }
        #expect(try await hub.status(id, site: "acme") == .ready)
        try await hub.stop()
    }

    @Test("one site's users never see or change another site's data")
    func sitesAreIsolated() async throws {
        let hub = try await HubConsoleHarness.start()
        let acme = try await hub.queuePCCO(site: "acme", pccoID: 7004, number: "010", title: "Acme secret change")
        let globex = try await hub.queuePCCO(site: "globex", pccoID: 7005, number: "011", title: "Globex secret change")
        try await withWeb(hub.base) { web in
            _ = try await hub.signIn(web, site: "globex", user: "gus")
            let list = try await web.get("/console/exports?filter=all")
            #expect(list.body.contains("Globex secret change"))
            #expect(!list.body.contains("Acme secret change"))
            let foreign = try await web.get("/console/exports/\(acme)")
            #expect(foreign.status == 404)
            #expect(!foreign.body.contains("Acme secret change"))
            let own = try await web.get("/console/exports/\(globex)")
            let reject = try await web.post("/console/exports/\(acme)/reject", [("csrf", own.csrf ?? ""), ("comment", "not mine")])
            #expect(reject.status == 404)
            let dashboard = try await web.get("/console/dashboard")
            #expect(dashboard.body.contains("globex"))
            #expect(!dashboard.body.contains("acme"))
            // Users pages are the admin's of their own site only.
            #expect(try await web.get("/console/users").status == 403)
        }
        #expect(try await hub.status(acme, site: "acme") == .ready)
        try await withWeb(hub.base) { web in
            _ = try await hub.signIn(web, site: "acme", user: "ada")
            let users = try await web.get("/console/users")
            #expect(users.body.contains("vic"))
            #expect(!users.body.contains("gus"))
        }
        try await hub.stop()
    }

    @Test("Sign out ends the session on the server, not only in the browser")
    func signOut() async throws {
        let hub = try await HubConsoleHarness.start()
        try await withWeb(hub.base) { web in
            let dashboard = try await hub.signIn(web, site: "acme", user: "ann")
            let session = try #require(web.cookies["tl_hub_session"])
            let out = try await web.post("/console/signout", [("csrf", dashboard.csrf ?? "")])
            #expect(out.status == 303)
            #expect(web.cookies["tl_hub_session"] == nil)
            // Replaying the old cookie no longer works.
            let replay = WebClient(base: hub.base)
            replay.setCookie("tl_hub_session", session)
            let page = try await replay.get("/console/dashboard")
            #expect(page.status == 303)
            try await replay.close()
        }
        try await hub.stop()
    }
}
