import Foundation
import Testing

/// The hub console's `exports/:id` pages and moves range-check the id as the API does (#17 point 1):
/// 400 naming the range, never a 404 for nonsense or a failed conversion's generic message.
@Suite struct ConsoleRangeTests {
    @Test func anExportIdOutsideItsRangeIs400NamingTheRange() async throws {
        let hub = try await HubConsoleHarness.start()
        let id = try await hub.queuePCCO(site: "acme", pccoID: 7781, number: "007", title: "Storm drain")
        try await withWeb(hub.base) { web in
            _ = try await hub.signIn(web, site: "acme", user: "ann")
            let page = try await web.get("/console/exports/\(id)")
            #expect(page.status == 200)
            let csrf = try #require(page.csrf)
            for bad in ["0", "-1", "9223372036854775808", "99999999999999999999", "abc"] {
                let shown = try await web.get("/console/exports/\(bad)")
                #expect(shown.status == 400, "GET exports/\(bad): \(shown.status)")
                #expect(shown.body.contains("id must be a whole number from 1 to 9223372036854775807"), "GET exports/\(bad): \(shown.body)")
                for move in ["accept", "reject", "retry", "unlink"] {
                    let moved = try await web.post("/console/exports/\(bad)/\(move)", [("csrf", csrf)])
                    #expect(moved.status == 400, "POST exports/\(bad)/\(move): \(moved.status)")
                    #expect(moved.body.contains("id must be a whole number from 1 to 9223372036854775807"), "POST exports/\(bad)/\(move)")
                }
            }
            #expect(try await hub.status(id, site: "acme") == .ready, "nothing moved")
        }
        try await hub.stop()
    }
}
