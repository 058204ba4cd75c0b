import Foundation
import Hummingbird
import Logging
import ServerSupport
import ServiceLifecycle
import Synchronization
import Testing
import TielineCore

/// Records which services ran and in what order they stopped.
final class StopLog: Sendable {
    private let names = Mutex<[String]>([])
    var stopped: [String] { names.withLock { $0 } }
    func add(_ name: String) { names.withLock { $0.append(name) } }
}

/// A service that runs until a graceful shutdown and logs when it stops.
struct Recorded: Service {
    let name: String
    let log: StopLog
    func run() async throws {
        try? await gracefulShutdown()
        log.add(name)
    }
}

@Suite(.timeLimit(.minutes(1))) struct RunningServerTests {
    static var router: Router<BasicRequestContext> {
        let router = Router()
        router.get("ping") { _, _ in "pong" }
        return router
    }

    @Test func startsOnAFreePortAndStopsDependenciesLast() async throws {
        let log = StopLog()
        let server = try await RunningServer.start("a test server", host: "127.0.0.1", port: 0, serverName: "test", router: Self.router,
                                                   dependencies: [Recorded(name: "dependency", log: log)],
                                                   services: [Recorded(name: "service", log: log)],
                                                   logger: Logger(label: "server-support-tests"), notListening: .invalidInput)
        #expect(server.port > 0)
        #expect(server.baseURL == "http://127.0.0.1:\(server.port)")
        try await LoopbackPort.waitUntilListening(server.port)
        #expect(log.stopped.isEmpty)
        try await server.shutdown()
        // Services after the server stop first, the dependency only once the server is down.
        #expect(log.stopped == ["service", "dependency"])
    }

    @Test func aPortInUseIsAnErrorNotAWait() async throws {
        let first = try await RunningServer.start("the first server", host: "127.0.0.1", port: 0, serverName: "test", router: Self.router,
                                                  logger: Logger(label: "server-support-tests"), notListening: .invalidInput)
        let log = StopLog()
        await #expect(throws: (any Error).self) {
            _ = try await RunningServer.start("the second server", host: "127.0.0.1", port: first.port, serverName: "test", router: Self.router,
                                              dependencies: [Recorded(name: "dependency", log: log)],
                                              logger: Logger(label: "server-support-tests"), notListening: .invalidInput)
        }
        // The failed start's group stopped its other services too.
        #expect(log.stopped == ["dependency"])
        try await first.shutdown()
    }
}
