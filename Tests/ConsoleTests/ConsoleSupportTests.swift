import ConsoleSupport
import Foundation
import Testing

@Suite("Console support")
struct ConsoleSupportTests {
    @Test("forms keep repeated fields in order and decode + and percent escapes")
    func formParsing() {
        let form = FormData(urlEncoded: "entity=Contract+%28CN%29&entity=Customer&csrf=a%2Fb&empty=&flag")
        #expect(form.values("entity") == ["Contract (CN)", "Customer"])
        #expect(form["csrf"] == "a/b")
        #expect(form["empty"] == "")
        #expect(form["flag"] == "")
        #expect(form["missing"] == nil)
    }

    @Test("secrets compare equal only when identical and non-empty")
    func secrets() {
        let token = ConsoleSecrets.token()
        #expect(token.count == 43)
        #expect(ConsoleSecrets.equal(token, token))
        #expect(!ConsoleSecrets.equal(token, ConsoleSecrets.token()))
        #expect(!ConsoleSecrets.equal("", ""))
        #expect(ConsoleSecrets.sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("bcrypt hashes verify and never contain the password")
    func passwords() async throws {
        let hasher = PasswordHasher(cost: 4)
        let hash = try await hasher.hash("correct horse")
        #expect(hash.hasPrefix("$2b$04$") && !hash.contains("correct"))
        #expect(try await hasher.verify("correct horse", hash: hash))
        #expect(try await !hasher.verify("wrong horse", hash: hash))
        #expect(throws: (any Error).self) { try PasswordHasher.validate("short") }
    }

    @Test("the sign-in throttle backs off after five failures, doubling, and forgets on success")
    func throttle() {
        let throttle = SignInThrottle(limit: 5, baseDelay: 15, maxDelay: 60)
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        for _ in 0..<5 { #expect(throttle.allows("acme/ann", now: t0)); throttle.failed("acme/ann", now: t0) }
        #expect(throttle.wait("acme/ann", now: t0) == 15)
        #expect(throttle.allows("acme/vic", now: t0))
        // Never refused for good: once the wait has passed, the rightful user may try again.
        #expect(throttle.allows("acme/ann", now: t0.addingTimeInterval(15)))
        throttle.failed("acme/ann", now: t0.addingTimeInterval(15))
        #expect(throttle.wait("acme/ann", now: t0.addingTimeInterval(15)) == 30)
        for i in 0..<5 { throttle.failed("acme/ann", now: t0.addingTimeInterval(100 + Double(i))) }
        #expect(throttle.wait("acme/ann", now: t0.addingTimeInterval(104)) == 60, "capped at maxDelay")
        throttle.succeeded("acme/ann")
        #expect(throttle.allows("acme/ann", now: t0.addingTimeInterval(104)))
    }

    @Test("a flood of unknown names neither grows the throttle past its capacity nor frees a throttled user")
    func throttleFlood() {
        let throttle = SignInThrottle(limit: 5, baseDelay: 15, maxDelay: 300, capacity: 500)
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        for _ in 0..<5 { throttle.failed("acme/ann", now: t0) }
        for i in 0..<3_000 { throttle.failed("acme/nobody-\(i)", now: t0.addingTimeInterval(Double(i) / 1000)) }
        #expect(throttle.count <= 500)
        #expect(!throttle.allows("acme/ann", now: t0.addingTimeInterval(10)), "the throttled user is still throttled")
    }
}
