import ConsoleSupport
import Foundation
import Hub
import Hummingbird

/// Finds the signed-in session from its cookie (looked up by its SHA-256) and hands its CSRF
/// token to the CSRF check.
struct HubSessionMiddleware: RouterMiddleware {
    typealias Context = HubConsoleContext
    let console: HubConsole

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let id = request.cookies[console.cookies.sessionName]?.value, id.count >= 40 {
            let now = Date()
            if let session = try await console.accounts.consoleSession(idHash: ConsoleSecrets.sha256(id), now: now,
                                                                       extendTo: now.addingTimeInterval(console.sessionLifetime)) {
                context.session = session
                context.sessionID = id
                context.console.csrf = session.csrf
                context.console.signedIn = true
                context.logger[metadataKey: "site"] = .string(session.user.site.name)
                context.logger[metadataKey: "user"] = .string(session.user.name)
            }
        }
        return try await next(request, context)
    }
}

/// Sends a visitor who is not signed in to the sign-in page.
struct RequireHubSignIn: RouterMiddleware {
    typealias Context = HubConsoleContext
    let renderer: ConsoleRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.session != nil else { return renderer.redirect("\(HubConsole.base)/signin") }
        return try await next(request, context)
    }
}
