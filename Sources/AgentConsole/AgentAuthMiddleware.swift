import ConsoleSupport
import Hummingbird

/// Finds the signed-in session from its cookie and hands its CSRF token to the CSRF check.
struct AgentSessionMiddleware: RouterMiddleware {
    typealias Context = AgentConsoleContext
    let sessions: AgentSessions
    let cookies: ConsoleCookies

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let id = request.cookies[cookies.sessionName]?.value, let csrf = sessions.touch(id) {
            context.sessionID = id
            context.console.csrf = csrf
            context.console.signedIn = true
        }
        return try await next(request, context)
    }
}

/// Sends a visitor who is not signed in to the setup page (no password yet) or to Sign in.
struct RequireAgentSignIn: RouterMiddleware {
    typealias Context = AgentConsoleContext
    let password: AdminPassword
    let renderer: ConsoleRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.console.signedIn else {
            return renderer.redirect(password.isSet ? "/signin" : "/setup")
        }
        return try await next(request, context)
    }
}
