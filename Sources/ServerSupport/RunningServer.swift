import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import TielineCore

/// A Hummingbird server started in the background together with the services that belong to it, all in one
/// `ServiceGroup`: the hub, the agent console on its own and the Procore sandbox each start through here.
///
/// `start` returns once the port is bound (the free one picked when asked for port 0), or throws when the
/// server cannot listen (the bind error) instead of waiting forever. `shutdown()` triggers the group's graceful
/// shutdown — services after the server first, then the server (in-flight requests finish), then the
/// dependencies — and waits until all of them have stopped.
public final class RunningServer: Sendable {
    /// The host it listens on.
    public let host: String
    /// The port actually bound.
    public let port: Int
    let group: ServiceGroup
    let running: Task<Void, any Error>

    /// `http://host:port`.
    public var baseURL: String { "http://\(host):\(port)" }

    init(host: String, port: Int, group: ServiceGroup, running: Task<Void, any Error>) {
        self.host = host
        self.port = port
        self.group = group
        self.running = running
    }

    /// Starts `responder` on `host:port` in a `ServiceGroup` of `dependencies`, the server and `services`, in that
    /// order, and returns once the port is bound.
    ///
    /// - Parameters:
    ///   - name: What the server is, for the message when it stops before listening ("the hub").
    ///   - dependencies: Services the server's requests rely on (a database's connection pool): started with it,
    ///     shut down only after it has stopped.
    ///   - services: Services shut down before the server (say, one that ends long-polls so in-flight requests finish).
    ///   - stopOnSignals: SIGTERM and SIGINT shut the group down gracefully.
    ///   - notListening: The code of the error thrown when the group ends without the server having listened
    ///     (a failure to bind is thrown as itself).
    public static func start<Responder: HTTPResponder>(
        _ name: String, host: String, port: Int, serverName: String, responder: Responder,
        dependencies: [any Service] = [], services: [any Service] = [], stopOnSignals: Bool = false,
        logger: Logger, notListening: TielineError.Code
    ) async throws -> RunningServer where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        let (bound, boundContinuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: port), serverName: serverName),
            onServerRunning: { channel in
                boundContinuation.yield(channel.localAddress?.port ?? port)
                boundContinuation.finish()
            },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: dependencies + [app] + services,
                                                      gracefulShutdownSignals: stopOnSignals ? [.sigterm, .sigint] : [],
                                                      logger: logger))
        let running = Task {
            // Whatever happens, a failed start must not leave `start` waiting for a port forever.
            defer { boundContinuation.finish() }
            try await group.run()
        }
        var iterator = bound.makeAsyncIterator()
        guard let actualPort = await iterator.next() else {
            // The group ended (a bind failure is its error), or whoever called `start` was cancelled: stop the group then.
            if Task.isCancelled { running.cancel() }
            try await running.value
            throw TielineError(notListening, "\(name) stopped before it was listening on \(host):\(port)")
        }
        return RunningServer(host: host, port: actualPort, group: group, running: running)
    }

    /// `start` for a router.
    public static func start<Builder: HTTPResponderBuilder>(
        _ name: String, host: String, port: Int, serverName: String, router: Builder,
        dependencies: [any Service] = [], services: [any Service] = [], stopOnSignals: Bool = false,
        logger: Logger, notListening: TielineError.Code
    ) async throws -> RunningServer where Builder.Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        try await start(name, host: host, port: port, serverName: serverName, responder: router.buildResponder(),
                        dependencies: dependencies, services: services, stopOnSignals: stopOnSignals, logger: logger,
                        notListening: notListening)
    }

    /// Stops accepting, lets in-flight requests finish, stops every service of the group, and waits until all have.
    public func shutdown() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }

    /// Waits until the group stops (after a signal or `shutdown()`), throwing what ended it if it failed.
    public func waitUntilStopped() async throws {
        try await running.value
    }
}
