import ConsoleSupport
import Foundation
import Hub
import Hummingbird
import Logging
import TielineCore

/// The hub's web console under `/console`: per-site sign-in, the site dashboard, and the PCCO
/// export queue's lists, detail pages and the accounting approver's Accept / Reject.
///
/// Mount it on a hub with `HubServer.start(storage:…, extraRoutes: console.install)`, so Accept
/// and Reject go through the hub's own `ExportQueue`.
public struct HubConsole: Sendable {
    public let storage: any HubStorage
    public let accounts: any ConsoleAccounts
    public let hasher: PasswordHasher
    /// Marks cookies Secure (sent over HTTPS only; browsers also allow loopback). Off only for plain-HTTP test rigs.
    public var secureCookies: Bool
    /// Idle time after which a session ends.
    public var sessionLifetime: TimeInterval
    /// Failed sign-ins per user (`site/name`) and per client address; both must allow an attempt.
    public let userThrottle = SignInThrottle(limit: 5)
    public let addressThrottle = SignInThrottle(limit: 20)

    /// The path everything is served under.
    public static let base = "/console"

    public init(storage: any HubStorage, accounts: any ConsoleAccounts, hasher: PasswordHasher = PasswordHasher(),
                secureCookies: Bool = true, sessionLifetime: TimeInterval = 8 * 3600) {
        self.storage = storage
        self.accounts = accounts
        self.hasher = hasher
        self.secureCookies = secureCookies
        self.sessionLifetime = sessionLifetime
    }

    var cookies: ConsoleCookies { ConsoleCookies(prefix: "tl_hub", path: Self.base, secure: secureCookies) }

    /// Adds the console's routes to the hub's router.
    public func install(on router: Router<HubRequestContext>, queue: ExportQueue) {
        let renderer = ConsoleRenderer(templates: HubTemplates.all, cookies: cookies)
        let pages = HubPages(console: self, renderer: renderer, queue: queue)
        let group = router.group("console", context: HubConsoleContext.self)
        group.add(middleware: ConsoleErrorMiddleware<HubConsoleContext> { status, message, context, request in
            pages.errorPage(status: status, message: message, context: context, request: request)
        })
        group.add(middleware: HubSessionMiddleware(console: self))
        group.add(middleware: CSRFMiddleware<HubConsoleContext>(cookies: cookies))
        ConsoleRenderer.addAssets(to: group)
        HubSignInRoutes(pages: pages).add(to: group)
        let signedIn = group.group().add(middleware: RequireHubSignIn(renderer: renderer))
        signedIn.get("/") { _, _ in renderer.redirect("\(Self.base)/dashboard") }
        DashboardRoutes(pages: pages).add(to: signedIn)
        ExportPagesRoutes(pages: pages).add(to: signedIn)
        ExportDecisionRoutes(pages: pages).add(to: signedIn)
        UsersRoutes(pages: pages).add(to: signedIn)
    }
}

/// Adding and changing console users, with the password hashed here (the CLI and the Users page use it).
public enum ConsoleUsers {
    /// Adds a user to a site with a bcrypt-hashed password.
    public static func add(site: String, name: String, role: ConsoleRole, password: String, accounts: any ConsoleAccounts,
                           hasher: PasswordHasher = PasswordHasher()) async throws -> ConsoleUser {
        try PasswordHasher.validate(password)
        try ConsoleUser.validate(name: name)
        return try await accounts.addConsoleUser(site: site, name: name, role: role, passwordHash: try await hasher.hash(password))
    }

    /// Sets a user's password (ending their sessions).
    public static func setPassword(site: String, name: String, password: String, accounts: any ConsoleAccounts,
                                   hasher: PasswordHasher = PasswordHasher()) async throws -> ConsoleUser {
        try PasswordHasher.validate(password)
        return try await accounts.updateConsoleUser(site: site, name: name, role: nil, passwordHash: try await hasher.hash(password))
    }
}
