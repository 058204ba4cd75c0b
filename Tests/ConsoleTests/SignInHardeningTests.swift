import AgentConsole
import AsyncHTTPClient
import ConsoleSupport
import Foundation
import NIOHTTP1
import Synchronization
import Testing
import TielineCore

/// Sign-in throttling, timing and DNS rebinding (#17).
@Suite("Sign-in hardening")
struct SignInHardeningTests {
    @Test("an unknown user costs a password check, like a known user with a wrong password")
    func unknownUsersTakeAsLong() async throws {
        // Cost 10 (~60 ms a check) makes the difference visible; without a decoy check an unknown user answers in ~1 ms.
        let hub = try await HubConsoleHarness.start(cost: 10)
        try await withWeb(hub.base) { web in
            let form = try await web.get("/console/signin")
            func attempt(_ user: String) async throws -> Duration {
                let start = ContinuousClock.now
                let page = try await web.post("/console/signin", [("csrf", form.csrf ?? ""), ("site", "acme"), ("user", user), ("password", "not the password")])
                #expect(page.status == 401)
                #expect(page.body.contains("The site, user name or password is not right."))
                return ContinuousClock.now - start
            }
            _ = try await attempt("nobody")  // the decoy hash is made on first use
            let known = min(try await attempt("ann"), try await attempt("ann"))
            let unknown = min(try await attempt("nobody"), try await attempt("nobody-else"))
            #expect(unknown * 10 >= known * 3, "unknown \(unknown) vs known \(known)")
        }
        try await hub.stop()
    }

    @Test("five wrong passwords make that user wait, not others; the wait is said")
    func perUserBackoff() async throws {
        let hub = try await HubConsoleHarness.start()
        try await withWeb(hub.base) { web in
            let form = try await web.get("/console/signin")
            for _ in 0..<5 {
                let wrong = try await web.post("/console/signin", [("csrf", form.csrf ?? ""), ("site", "acme"), ("user", "ann"), ("password", "not it at all")])
                #expect(wrong.status == 401)
            }
            let waiting = try await web.post("/console/signin", [("csrf", form.csrf ?? ""), ("site", "acme"), ("user", "ANN"), ("password", HubConsoleHarness.password)])
            #expect(waiting.status == 401)
            #expect(waiting.body.contains("Too many failed sign-ins; wait"), "user names are throttled case-insensitively")
            let other = try await web.post("/console/signin", [("csrf", form.csrf ?? ""), ("site", "acme"), ("user", "vic"), ("password", HubConsoleHarness.password)])
            #expect(other.status == 303, "another user from the same address is not locked out")
        }
        try await hub.stop()
    }

    @Test("twenty failed sign-ins from one address, each as another user, make that address wait, even with the right password")
    func perAddressBackoff() async throws {
        let hub = try await HubConsoleHarness.start()
        try await withWeb(hub.base) { web in
            let form = try await web.get("/console/signin")
            // One failure per name: below the per-user limit (5), so only the address can be what stops the 21st.
            for guess in 0..<20 {
                let wrong = try await web.post("/console/signin", [("csrf", form.csrf ?? ""), ("site", "acme"), ("user", "guess\(guess)"), ("password", "not the password")])
                #expect(wrong.status == 401)
                #expect(wrong.body.contains("The site, user name or password is not right."))
            }
            let waiting = try await web.post("/console/signin", [("csrf", form.csrf ?? ""), ("site", "acme"), ("user", "vic"), ("password", HubConsoleHarness.password)])
            #expect(waiting.status == 401)
            #expect(waiting.body.contains("Too many failed sign-ins; wait 15 seconds"), "\(waiting.body)")
        }
        try await hub.stop()
    }

    @Test("the agent console backs off wrong passwords but never locks the admin out: after the wait the right password works")
    func agentConsoleBacksOffWithoutLockingOut() async throws {
        let clock = TestDate()
        let agent = try await AgentConsoleHarness.start(throttle: SignInThrottle(clock: { clock.now }))
        try await withWeb(agent.base) { web in try await agent.setUp(web) }
        try await withWeb(agent.base) { web in
            let form = try await web.get("/signin")
            func signIn(_ password: String) async throws -> WebClient.Page {
                try await web.post("/signin", [("csrf", form.csrf ?? ""), ("password", password)])
            }
            for _ in 0..<5 {
                let wrong = try await signIn("not the password")
                #expect(wrong.status == 401 && wrong.body.contains("That password is not right."))
            }
            let refused = try await signIn(AgentConsoleHarness.password)
            #expect(refused.status == 401)
            #expect(refused.body.contains("Too many wrong passwords; wait 15 seconds"), "\(refused.body)")
            // A guesser keeps at it, waiting out each back-off: the wait doubles up to 5 minutes and no further.
            for _ in 0..<10 {
                clock.advance(301)
                #expect(try await signIn("still guessing").status == 401)
            }
            #expect(try await signIn(AgentConsoleHarness.password).body.contains("wait 300 seconds"))
            clock.advance(301)
            let admin = try await signIn(AgentConsoleHarness.password)
            #expect(admin.status == 303 && admin.location == "/connect", "the right password works once the back-off passed")
        }
        try await agent.stop()
    }

    @Test("a page from another host name (DNS rebinding) cannot reach the agent console, even to set its first password")
    func dnsRebindingIsRefused() async throws {
        let agent = try await AgentConsoleHarness.start()
        let port = agent.running.port
        func send(_ method: HTTPMethod, _ path: String, host: String, origin: String? = nil, body: String? = nil) async throws -> Int {
            var request = HTTPClientRequest(url: agent.base + path)
            request.method = method
            request.headers.replaceOrAdd(name: "Host", value: host)
            if let origin { request.headers.add(name: "Origin", value: origin) }
            if let body {
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                request.body = .bytes(.init(string: body))
            }
            return Int(try await HTTPClient.shared.execute(request, timeout: .seconds(10)).status.code)
        }
        #expect(try await send(.GET, "/setup", host: "rebind.evil.example:\(port)") == 421)
        #expect(try await send(.POST, "/setup", host: "rebind.evil.example:\(port)", body: "password=attacker-chosen&confirm=attacker-chosen") == 421)
        #expect(try await send(.POST, "/setup", host: "127.0.0.1:\(port)", origin: "http://rebind.evil.example:\(port)",
                               body: "password=attacker-chosen&confirm=attacker-chosen") == 421)
        #expect(!AdminPassword(home: agent.home).isSet)
        // Its own addresses still work.
        #expect(try await send(.GET, "/setup", host: "127.0.0.1:\(port)") == 200)
        #expect(try await send(.GET, "/setup", host: "localhost:\(port)") == 200)
        try await agent.stop()
    }
}

/// A settable clock for a throttle: back-offs pass without being waited out.
final class TestDate: Sendable {
    private let value = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { value.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { value.withLock { $0 += seconds } }
}
