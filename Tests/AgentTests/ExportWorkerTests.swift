import Agent
import Foundation
import Hummingbird
import Logging
import Synchronization
import Testing
import TielineCore

/// Runs a hub that answers every request 503 Service Unavailable (an outage) on 127.0.0.1 around `body`.
func withHubOutage(_ body: @Sendable (Int) async throws -> Void) async throws {
    struct Unavailable<Context: RequestContext>: RouterMiddleware {
        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            Response(status: .serviceUnavailable)
        }
    }
    try await withTestRouter({ $0.add(middleware: Unavailable()) }, body)
}

@Suite struct ExportWorkerTests {
    @Test("a hub outage's growing backoff waits go through the worker's clock", .timeLimit(.minutes(1)))
    func backoffWaitsOnTheInjectedClock() async throws {
        try await withHubOutage { port in
            let home = makeHome()
            let store = AgentConfigStore(home: home)
            try store.save(AgentConfig(connections: [LocalConnection(name: "Company", sagePath: try makeCompany(in: home, pj: true))],
                                       hub: HubConnection(url: "http://127.0.0.1:\(port)", site: "acme")))
            try store.saveToken("tl_test_token")
            let clock = VirtualClock()
            let stop = StopSignal()
            let outages = Mutex<[String]>([])
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let worker = ExportWorker(home: home, wait: 1, logger: logger, retryDelay: .milliseconds(500), clock: clock) { event in
                guard case .waiting(let message) = event else { return }
                // The fifth failure stops the worker before its wait: four waits were slept.
                if outages.withLock({ $0.append(message); return $0.count }) == 5 { stop.request() }
            }
            await worker.run(until: stop)
            #expect(outages.withLock { $0 }.allSatisfy { $0.contains("HTTP 503") })
            // Doubling from 500 ms, all on the virtual clock: a worker sleeping on the system clock records none.
            #expect(clock.sleeps == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4)])
        }
    }
}
