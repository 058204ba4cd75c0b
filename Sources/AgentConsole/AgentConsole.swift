import Agent
import ConsoleSupport
import Foundation
import Hummingbird
import Logging
import ServerSupport
import ServiceLifecycle
import TielineCore

/// The sync client's local console (`tieline agent run --console`): Connect, Local Connections,
/// Mappings → Advanced Mappings and Sync in a browser, calling the same Agent library as the CLI.
///
/// It binds 127.0.0.1 by default and is protected by an admin password set on its first start.
public struct AgentConsole: Sendable {
    public let home: TielineHome
    public var host: String
    public var port: Int
    public let password: AdminPassword
    public let sessions: AgentSessions
    /// Builds the hub destination for a Sync, as `AgentService` does.
    public let makeDestination: AgentService.DestinationFactory
    public let jobs: SyncJobs
    public var logger: Logger
    /// Wrong passwords per client address: backs off, never refuses the right password for good.
    public let signInThrottle: SignInThrottle

    public init(home: TielineHome, host: String = "127.0.0.1", port: Int = 8070, hasher: PasswordHasher = PasswordHasher(),
                logger: Logger = Logger(label: "tieline.agent.console"), signInThrottle: SignInThrottle = SignInThrottle(),
                makeDestination: @escaping AgentService.DestinationFactory) {
        self.home = home
        self.host = host
        self.port = port
        self.password = AdminPassword(home: home, hasher: hasher)
        self.sessions = AgentSessions()
        self.makeDestination = makeDestination
        self.jobs = SyncJobs()
        self.logger = logger
        self.signInThrottle = signInThrottle
    }

    /// Loopback HTTP: the browser keeps the cookie to this machine, so it is not marked Secure.
    var cookies: ConsoleCookies { ConsoleCookies(prefix: "tl_agent", path: "/", secure: false) }

    /// The console's routes.
    func router() -> Router<AgentConsoleContext> {
        let renderer = ConsoleRenderer(templates: AgentTemplates.all, cookies: cookies)
        let pages = AgentPages(console: self, renderer: renderer)
        let router = Router(context: AgentConsoleContext.self)
        router.add(middleware: ConsoleErrorMiddleware<AgentConsoleContext> { status, message, context, request in
            pages.errorPage(status: status, message: message, context: context, request: request)
        })
        // First, before anything can set the password: only requests addressed to this console.
        router.add(middleware: HostCheckMiddleware<AgentConsoleContext>(host: host))
        router.add(middleware: AgentSessionMiddleware(sessions: sessions, cookies: cookies))
        router.add(middleware: CSRFMiddleware<AgentConsoleContext>(cookies: cookies))
        ConsoleRenderer.addAssets(to: router)
        AgentSignInRoutes(pages: pages).add(to: router)
        let signedIn = router.group().add(middleware: RequireAgentSignIn(password: password, renderer: renderer))
        signedIn.get("/") { _, _ in renderer.redirect("/connect") }
        signedIn.post("signout") { request, context in
            if let id = context.sessionID { sessions.end(id) }
            var response = renderer.redirect("/signin", flash: Flash(.notice, "Signed out."))
            response.setCookie(cookies.clearSession())
            return response
        }
        ConnectRoutes(pages: pages).add(to: signedIn)
        ConnectionsRoutes(pages: pages).add(to: signedIn)
        MappingsRoutes(pages: pages).add(to: signedIn)
        SyncRoutes(pages: pages).add(to: signedIn)
        return router
    }

    /// The server name it answers with.
    static let serverName = "tieline-agent-console"

    /// The console's HTTP server, a Service; `onListening` gets the bound port.
    func application(onListening: @escaping @Sendable (Int) -> Void) -> some ApplicationProtocol & Service {
        Application(router: router(), configuration: .init(address: .hostname(host, port: port), serverName: Self.serverName),
                    onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) }, logger: logger)
    }

    /// Starts serving on its own and returns once the port is bound (for tests and a console without an agent).
    ///
    /// The syncs started from the console run in the server's group, as a dependency of the server: on shutdown
    /// the server finishes its requests first, then the syncs stop (each checkpoints its batch).
    public func start() async throws -> RunningConsole {
        let server = try await RunningServer.start("the agent console", host: host, port: port, serverName: Self.serverName,
                                                   router: router(), dependencies: [jobs], logger: logger,
                                                   notListening: .consoleNotStarted)
        return RunningConsole(server: server)
    }
}

/// A started console: its address, and how to stop it.
public final class RunningConsole: Sendable {
    let server: RunningServer

    init(server: RunningServer) {
        self.server = server
    }

    public var host: String { server.host }
    public var port: Int { server.port }
    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { server.baseURL }

    /// Stops the server and the syncs started from the console (each checkpoints its batch), and waits for both.
    public func shutdown() async throws {
        try await server.shutdown()
    }
}

/// Runs the console inside `tieline agent run`'s service group until it shuts down.
public struct AgentConsoleService: Service {
    public let console: AgentConsole
    /// Told the console's URL once it listens.
    public let onListening: @Sendable (String) -> Void

    public init(console: AgentConsole, onListening: @escaping @Sendable (String) -> Void = { _ in }) {
        self.console = console
        self.onListening = onListening
    }

    /// Serves as one service of the agent's ServiceGroup (no group of its own), the server and the console's syncs
    /// as its child tasks: a graceful shutdown reaches both, stopping the syncs (each checkpoints its batch) and the
    /// server, and this returns once both have stopped. Should either fail, the other is cancelled.
    public func run() async throws {
        let (host, jobs, onListening) = (console.host, console.jobs, onListening)
        let app = console.application { port in onListening("http://\(host):\(port)") }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await jobs.run() }
            group.addTask { try await app.run() }
        }
    }
}

extension TielineError.Code {
    public static let consoleNotStarted = Self("console_not_started")
}
