import Foundation
import Procore
import ProcoreSandbox
import Testing
import TielineCore

@Suite("Client tokens, rate limits, retries and bad answers")
struct ClientResilienceTests {
    @Test("refreshes the token before it expires")
    func refreshBeforeExpiry() async throws {
        try await Harness.with(configure: { $0.tokenLifetime = 600 }) { h in
            let first = try await h.client.accessToken()
            h.clock.advance(by: .seconds(500))
            #expect(try await h.client.accessToken() == first)
            // Within the 60 s margin: a new token, before the old one is refused.
            h.clock.advance(by: .seconds(50))
            let second = try await h.client.accessToken()
            #expect(second != first)
            _ = try await h.client.getJSON("/rest/v1.0/projects/\(h.sandbox.projects[0].id)")
            #expect(h.sandbox.requestCount == 1)
        }
    }

    @Test("a token refused with 401 is replaced once and the call succeeds")
    func refreshOn401() async throws {
        try await Harness.with { h in
            let before = try await h.client.accessToken()
            h.sandbox.expireTokens()
            let project = try await h.client.getJSON("/rest/v1.0/projects/\(h.sandbox.projects[0].id)")
            #expect(try PayloadReader(project).int("id") == h.sandbox.projects[0].id)
            #expect(try await h.client.accessToken() != before)
            #expect(h.sandbox.requestCount == 2) // the 401 and the retry
        }
    }

    @Test("bad client credentials give procore_auth without echoing the secret")
    func badCredentials() async throws {
        try await Harness.with(client: { $0.clientSecret = ProcoreSecret("wrong-secret-value") }) { h in
            do {
                _ = try await h.client.getJSON("/rest/v1.0/projects", query: Harness.companyQuery)
                Issue.record("expected an auth error")
            } catch let error as TielineError {
                #expect(error.code == .procoreAuth)
                #expect(!error.message.contains("wrong-secret-value"))
                #expect(error.message.contains("invalid_client") || error.message.contains("Client authentication failed"))
            }
            #expect("\(h.client.configuration.clientSecret)" == "<redacted>")
        }
    }

    @Test("slows down before the window is spent: no request is ever refused")
    func staysUnderTheLimit() async throws {
        try await Harness.with(perPage: 1, configure: { $0.rateLimit = 5; $0.rateLimitWindow = 10; $0.syntheticProjects = 11 }) { h in
            let all = try await h.client.getAll("/rest/v1.0/projects", query: Harness.companyQuery)
            #expect(all.count == 12)
            #expect(h.sandbox.rateLimitedCount == 0)
            #expect(h.sandbox.requestCount == 12)
            // It waited for the window to reset at least twice (12 requests, 5 a window, 1 kept in reserve).
            #expect(h.clock.sleeps.filter { $0 > .zero }.count >= 2)
        }
    }

    @Test("survives a 429 burst by waiting for X-Rate-Limit-Reset")
    func survives429Burst() async throws {
        try await Harness.with(perPage: 2) { h in
            var faults = SandboxFaults()
            faults.rateLimitBurst = 3
            faults.rateLimitResetSeconds = 5
            h.sandbox.setFaults(faults)
            let all = try await h.client.getAll("/rest/v1.0/projects", query: Harness.companyQuery)
            #expect(all.count == 4)
            #expect(h.sandbox.requestCount == 5) // 3 refused + 2 pages
            #expect(h.sandbox.rateLimitedCount == 0)
            let waits = h.clock.sleeps
            #expect(waits.count == 3)
            #expect(waits.allSatisfy { $0 >= .seconds(4) && $0 <= .seconds(5) })
        }
    }

    @Test("paces on the 10-second spike window the headers report, so it is never refused")
    func survivesSpikeLimit() async throws {
        try await Harness.with(perPage: 1, configure: { $0.spikeLimit = 3; $0.spikeWindow = 10; $0.syntheticProjects = 8 }) { h in
            let all = try await h.client.getAll("/rest/v1.0/projects", query: Harness.companyQuery)
            #expect(all.count == 9)
            // plan_your_app/rate_limiting.md: the headers report the window most likely to be exceeded first.
            #expect(h.sandbox.spikeLimitedCount == 0)
            #expect(h.sandbox.requestCount == 9)
            let waits = h.clock.sleeps.filter { $0 > .zero }
            #expect(!waits.isEmpty && waits.allSatisfy { $0 == .seconds(10) }, "\(waits)")
        }
    }

    @Test("a 429 storm longer than the retry budget fails with procore_rate_limited")
    func rateLimitedForever() async throws {
        try await Harness.with(retry: ProcoreRetryPolicy(maxAttempts: 3)) { h in
            var faults = SandboxFaults()
            faults.rateLimitBurst = 50
            h.sandbox.setFaults(faults)
            await #expect {
                _ = try await h.client.getJSON("/rest/v1.0/projects", query: Harness.companyQuery)
            } throws: { ($0 as? TielineError)?.code == .procoreRateLimited }
            #expect(h.sandbox.requestCount == 3)
        }
    }

    @Test("honours Retry-After on 503")
    func retryAfter503() async throws {
        try await Harness.with { h in
            var faults = SandboxFaults()
            faults.unavailableBurst = 2
            faults.unavailableRetryAfter = 7
            h.sandbox.setFaults(faults)
            _ = try await h.client.getJSON("/rest/v1.0/projects", query: Harness.companyQuery)
            #expect(h.clock.sleeps == [.seconds(7), .seconds(7)])
            #expect(h.sandbox.requestCount == 3)
        }
    }

    @Test("retries 500s with exponential back-off")
    func retries500() async throws {
        try await Harness.with(retry: ProcoreRetryPolicy(maxAttempts: 4, baseDelay: 1, maxDelay: 60)) { h in
            var faults = SandboxFaults()
            faults.serverErrorBurst = 3
            h.sandbox.setFaults(faults)
            _ = try await h.client.getJSON("/rest/v1.0/projects", query: Harness.companyQuery)
            // Zero jitter gives half the ceiling: 0.5, 1, 2.
            #expect(h.clock.sleeps == [.seconds(0.5), .seconds(1), .seconds(2)])
        }
    }

    @Test("a dropped connection is retried")
    func droppedConnection() async throws {
        try await Harness.with { h in
            var faults = SandboxFaults()
            faults.dropBurst = 1
            h.sandbox.setFaults(faults)
            let rows = try await h.client.getAll("/rest/v1.0/projects", query: Harness.companyQuery)
            #expect(rows.count == 4)
            #expect(h.sandbox.requestCount == 2)
        }
    }

    @Test("a slow answer past the timeout is retried")
    func slowAnswer() async throws {
        try await Harness.with(client: { $0.requestTimeout = 1 }) { h in
            var faults = SandboxFaults()
            faults.slowBurst = 1
            faults.slowSeconds = 1.6
            h.sandbox.setFaults(faults)
            let rows = try await h.client.getAll("/rest/v1.0/projects", query: Harness.companyQuery)
            #expect(rows.count == 4)
            #expect(h.sandbox.requestCount == 2)
        }
    }

    @Test("a malformed JSON body is a clear error, not a crash")
    func malformedBody() async throws {
        try await Harness.with { h in
            var faults = SandboxFaults()
            faults.malformedBurst = 1
            h.sandbox.setFaults(faults)
            await #expect {
                _ = try await h.client.getAll("/rest/v1.0/projects", query: Harness.companyQuery)
            } throws: { error in
                guard let e = error as? TielineError else { return false }
                return e.code == .procoreMalformedJSON && e.message.hasPrefix("GET /rest/v1.0/projects: not valid JSON at byte")
            }
            // The next call is clean again.
            let again = try await h.client.getAll("/rest/v1.0/projects", query: Harness.companyQuery)
            #expect(again.count == 4)
        }
    }

    @Test("a 404 keeps Procore's status and error body")
    func notFoundKeepsBody() async throws {
        try await Harness.with { h in
            do {
                _ = try await h.client.getJSON("/rest/v1.0/projects/999999")
                Issue.record("expected a 404")
            } catch let error as ProcoreAPIError {
                #expect(error.status == 404)
                #expect(error.procoreMessage == "project not found")
                #expect(error.body.contains("project not found"))
                #expect(error.code == .notFound)
                #expect(error.request == "GET /rest/v1.0/projects/999999")
            }
        }
    }
}
