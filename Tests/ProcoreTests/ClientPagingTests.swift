import Foundation
@testable import Procore
import ProcoreSandbox
import Testing
import TielineCore

@Suite("Client paging and headers")
struct ClientPagingTests {
    @Test("walks every page following Link rel=next")
    func pagination() async throws {
        try await Harness.with(perPage: 2, configure: { $0.syntheticProjects = 6 }) { h in
            let all = try await h.client.getAll("/rest/v1.0/projects", query: [("company_id", String(h.sandbox.configuration.companyID))])
            // 6 linked + 1 unlinked project at 2 a page: 4 pages.
            #expect(all.count == 7)
            let ids = all.compactMap { row -> Int? in try? PayloadReader(row).int("id") }
            #expect(Set(ids).count == 7)
            #expect(h.sandbox.requestCount == 4)
            #expect(h.sandbox.requestLog.allSatisfy { $0 == "GET /rest/v1.0/projects" })
        }
    }

    @Test("a single page reports Total and the next link")
    func pageHeaders() async throws {
        try await Harness.with(perPage: 3) { h in
            let page = try await h.client.getPage("/rest/v1.0/projects", query: Harness.companyQuery, page: 1)
            #expect(page.items.count == 3)
            #expect(page.total == 4)
            let next = try #require(page.next)
            #expect(next.contains("page=2"))
            #expect(next.contains("per_page=3"))
            let last = try await h.client.getPage("/rest/v1.0/projects", query: Harness.companyQuery, page: 2)
            #expect(last.items.count == 1)
            #expect(last.next == nil)
        }
    }

    @Test("Link header parsing")
    func linkHeader() {
        let link = #"<https://api.procore.com/rest/v1.0/projects?page=1&per_page=2>; rel="first", <https://api.procore.com/rest/v1.0/projects?page=3&per_page=2>; rel="next""#
        #expect(ResponseHeaders.nextLink(link) == "https://api.procore.com/rest/v1.0/projects?page=3&per_page=2")
        #expect(ResponseHeaders.nextLink(#"<https://x/a?page=9>; rel="last""#) == nil)
        #expect(ResponseHeaders.nextLink(nil) == nil)
        #expect(ResponseHeaders.nextLink("garbage") == nil)
    }

    @Test("Retry-After as seconds and as an HTTP date")
    func retryAfter() {
        let now = Date(timeIntervalSince1970: 1_767_225_600) // Thu, 01 Jan 2026 00:00:00 GMT
        #expect(ResponseHeaders.retryAfter("7", now: now) == 7)
        #expect(ResponseHeaders.retryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now: now) == 30)
        #expect(ResponseHeaders.retryAfter("soon", now: now) == nil)
    }

    @Test("per_page is clamped to Procore's maximum of 2000")
    func perPageClamp() {
        let config = ProcoreConfiguration(endpoints: .production, companyID: 1, clientID: "id", clientSecret: ProcoreSecret("s"), perPage: 50_000)
        #expect(config.perPage == 2000)
    }

    @Test("a Link to another host is refused so the token never leaves the API host")
    func foreignLink() async throws {
        let config = ProcoreConfiguration(endpoints: .production, companyID: 1, clientID: "id", clientSecret: ProcoreSecret("s"))
        let client = ProcoreClient(configuration: config)
        await #expect(throws: TielineError.self) { try await client.followable("https://evil.example/rest/v1.0/projects?page=2") }
        #expect(try await client.followable("https://api.procore.com/rest/v1.0/projects?page=2").host == "api.procore.com")
    }
}
