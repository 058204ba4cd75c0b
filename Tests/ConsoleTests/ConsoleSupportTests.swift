import ConsoleSupport
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

    @Test("the sign-in throttle refuses after five failures and forgets on success")
    func throttle() {
        let throttle = SignInThrottle(limit: 5, window: 300)
        for _ in 0..<5 { #expect(throttle.allows("acme/ann")); throttle.failed("acme/ann") }
        #expect(!throttle.allows("acme/ann"))
        #expect(throttle.allows("acme/vic"))
        throttle.succeeded("acme/ann")
        #expect(throttle.allows("acme/ann"))
    }
}
