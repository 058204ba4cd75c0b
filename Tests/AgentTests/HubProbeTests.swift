import Agent
import Foundation
import Hummingbird
import Logging
import Testing

/// Runs a tiny hub answering `GET /v1/site` on 127.0.0.1 (any free port) around `body`.
func withTestHub(_ body: @Sendable (Int) async throws -> Void) async throws {
    try await withTestRouter({ router in
        router.get("/v1/site") { request, _ -> Response in
            switch request.headers[.authorization] {
            case "Bearer tl_good_token_1234": jsonResponse(#"{"site":"acme"}"#)
            case "Bearer tl_other_site_5678": jsonResponse(#"{"site":"other"}"#)
            default: Response(status: .unauthorized)
            }
        }
    }, body)
}

/// A 200 answer with a JSON body.
func jsonResponse(_ json: String) -> Response {
    Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
}

/// Runs a tiny server with the routes `routes` adds on 127.0.0.1 (any free port) around `body`, which gets its port.
func withTestRouter(_ routes: (Router<BasicRequestContext>) -> Void, _ body: @Sendable (Int) async throws -> Void) async throws {
    let router = Router()
    routes(router)
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    var logger = Logger(label: "test-hub")
    logger.logLevel = .critical  // The cancellation at the end is expected; keep test output clean.
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                          onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        defer { group.cancelAll() }
        try await body(port)
    }
}

@Suite struct HubProbeTests {
    @Test func acceptsAValidTokenAndReportsTheOthers() async throws {
        // The probe's 5 s default is for a user waiting on `doctor`; here every answer is expected. In one full run,
        // with the whole suite starting at once, the first probe failed, most likely at that 5 s limit.
        let wait = Duration.seconds(60)
        try await withTestHub { port in
            let hub = HubConnection(url: "http://127.0.0.1:\(port)", site: "acme")
            #expect(await HubProbe.check(hub, token: "tl_good_token_1234", timeout: wait) == .ok(site: "acme"))
            #expect(await HubProbe.check(hub, token: "tl_wrong", timeout: wait) == .unauthorized)
            #expect(await HubProbe.check(hub, token: "tl_other_site_5678", timeout: wait) == .siteMismatch(expected: "acme", actual: "other"))
            let wrongPath = HubConnection(url: "http://127.0.0.1:\(port)/nothing-here", site: "acme")
            if case .unexpected(let status, _) = await HubProbe.check(wrongPath, token: "tl_good_token_1234", timeout: wait) {
                #expect(status == 404)
            } else {
                Issue.record("a 404 must be reported as an unexpected answer")
            }
        }
    }

    @Test func aHubThatIsNotThereIsReportedUnreachable() async {
        // Port 1 on loopback refuses connections; the client retries until the timeout, then gives up.
        // (No wall-clock assertion: speed belongs in benchmarks, and this machine is shared.)
        let result = await HubProbe.check(HubConnection(url: "http://127.0.0.1:1", site: "acme"), token: "t", timeout: .seconds(1))
        guard case .unreachable = result else { Issue.record("expected unreachable, got \(result)"); return }
    }
}
