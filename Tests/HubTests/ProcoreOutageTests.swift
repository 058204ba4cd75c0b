import Crypto
import Foundation
@testable import Hub
import Logging
import Testing

/// An unreachable Procore (#17): said at once in the log, and no obstacle to a prompt SIGTERM.
@Suite(.timeLimit(.minutes(2))) struct ProcoreOutageTests {
    /// A TCP port that completes connections and then never answers, like a host behind a dead proxy.
    final class SilentPort {
        let fd: Int32
        let port: Int
        init() throws {
            let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) } }
            try #require(bound == 0 && listen(socketFD, 16) == 0)
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) } }
            fd = socketFD
            port = Int(UInt16(bigEndian: address.sin_port))
        }
        deinit { close(fd) }
    }

    static func start(procoreAt baseURL: String, handler: HubLogCapture) async throws -> (HubServer, TestDatabase) {
        let database = try await TestDatabase.make(.sqlite)
        let storage = try await database.open()
        let secrets = HubSecretBox(key: SymmetricKey(size: .bits256))
        _ = try await storage.addSite("acme")
        try await storage.linkProcore(ProcoreLink(baseURL: baseURL, companyID: 1, clientID: "c", sealedSecret: try secrets.seal("s"),
                                                  style: .erpRequests, pollSeconds: 60), site: "acme")
        var logger = Logger(label: "capture") { _ in handler }
        logger.logLevel = .info
        let hub = try await HubServer.start(storage: storage, port: 0, configuration: HubConfiguration(secrets: secrets), logger: logger,
                                            runStorage: true)
        return (hub, database)
    }

    @Test func theFirstFailureIsLoggedAtOnceWithTheNextTry() async throws {
        let handler = HubLogCapture()
        // Port 9 (discard) is closed on loopback: every connection is refused.
        let (hub, database) = try await Self.start(procoreAt: "http://127.0.0.1:9", handler: handler)
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, !handler.lines(atLeast: .warning).contains(where: { $0.contains("cannot reach Procore") }) {
            try await Task.sleep(for: .milliseconds(50))
        }
        try await hub.shutdown()
        await database.drop()
        let warning = handler.lines(atLeast: .warning).first { $0.contains("cannot reach Procore") }
        #expect(warning?.contains("trying again in") == true, "\(handler.lines)")
        #expect(warning?.contains("attempt 1 of") == true)
    }

    @Test func sigtermStopsWithinSecondsWhileProcoreHangs() async throws {
        let silent = try SilentPort()
        let handler = HubLogCapture()
        let (hub, database) = try await Self.start(procoreAt: "http://127.0.0.1:\(silent.port)", handler: handler)
        // Let the bridge's first poll get stuck in its token request.
        try await Task.sleep(for: .milliseconds(700))
        let start = ContinuousClock.now
        try await hub.shutdown()
        let took = ContinuousClock.now - start
        await database.drop()
        // Without cancelling it, the token request would hold the hub for its 60 s timeout; a loaded CI machine needs some slack.
        #expect(took < .seconds(40), "shutdown took \(took) with a Procore call in flight")
        // A stop is not a Procore failure: nothing is recorded against the site.
        #expect(!handler.lines(atLeast: .warning).contains { $0.contains("polling Procore for site acme failed") })
    }
}
