import ConsoleSupport
import Hummingbird
import TielineCore

/// First start (set the admin password) and Sign in. The only pages shown before sign-in.
struct AgentSignInRoutes: Sendable {
    let pages: AgentPages
    var throttle: SignInThrottle { pages.console.signInThrottle }

    struct SetupPage: ConsolePageModel {
        var chrome: Chrome
        var minimum: Int
    }

    struct SignInPage: ConsolePageModel {
        var chrome: Chrome
    }

    func add(to router: Router<AgentConsoleContext>) {
        let password = pages.console.password
        let renderer = pages.renderer
        router.get("setup") { request, context -> Response in
            // Shown only while no password is set.
            guard !password.isSet else { return renderer.redirect("/signin") }
            return renderer.page("setup", SetupPage(chrome: pages.chrome("Set the console password", .none, context),
                                                    minimum: PasswordHasher.minimumLength), request: request)
        }
        router.post("setup") { request, context -> Response in
            guard !password.isSet else { return renderer.redirect("/signin") }
            let form = context.console.form
            let chosen = form["password"] ?? ""
            do {
                guard chosen == form["confirm"] else {
                    throw TielineError(.invalidInput, "the two passwords differ; type the same password twice")
                }
                try await password.set(chosen)
            } catch let error as TielineError {
                var model = SetupPage(chrome: pages.chrome("Set the console password", .none, context), minimum: PasswordHasher.minimumLength)
                model.chrome.error = error.message
                return renderer.page("setup", model, request: request, status: .badRequest)
            }
            pages.console.logger.info("agent console password set")
            return signIn(request: request, context: context, message: "Password set. Start with Connect.")
        }
        router.get("signin") { request, context -> Response in
            guard password.isSet else { return renderer.redirect("/setup") }
            if context.console.signedIn { return renderer.redirect("/connect") }
            return renderer.page("signin", SignInPage(chrome: pages.chrome("Sign in", .none, context)), request: request)
        }
        router.post("signin") { request, context -> Response in
            guard password.isSet else { return renderer.redirect("/setup") }
            // Counted per client address and backing off, never refused for good: a guesser elsewhere cannot lock the admin out.
            let wait = throttle.wait(context.clientAddress)
            guard wait == 0 else {
                return failed(request, context, "Too many wrong passwords; wait \(Int(wait.rounded(.up))) seconds and try again.")
            }
            guard try await password.verify(context.console.form["password"] ?? "") else {
                throttle.failed(context.clientAddress)
                return failed(request, context, "That password is not right.")
            }
            throttle.succeeded(context.clientAddress)
            return signIn(request: request, context: context, message: nil)
        }
    }

    func failed(_ request: Request, _ context: AgentConsoleContext, _ message: String) -> Response {
        var model = SignInPage(chrome: pages.chrome("Sign in", .none, context))
        model.chrome.error = message
        return pages.renderer.page("signin", model, request: request, status: .unauthorized)
    }

    /// A new session (a fresh id, so a planted cookie is never promoted) and on to Connect.
    func signIn(request: Request, context: AgentConsoleContext, message: String?) -> Response {
        if let old = context.sessionID { pages.console.sessions.end(old) }
        let session = pages.console.sessions.create()
        var response = pages.renderer.redirect("/connect", flash: message.map { Flash(.notice, $0) })
        response.setCookie(pages.renderer.cookies.session(session.id))
        return response
    }
}

extension AgentTemplates {
    static let setup = """
    {{<layout}}{{$content}}
    <div class="card">
    <p>This is the first start of the console. Choose the password that protects it; only its bcrypt hash is stored,
    in this client's home folder.</p>
    <form method="post" action="/setup" class="stack">
      <input type="hidden" name="csrf" value="{{chrome.csrf}}">
      <label for="password">Password (at least {{minimum}} characters)</label>
      <input type="password" id="password" name="password" autocomplete="new-password" required minlength="{{minimum}}">
      <label for="confirm">Type it again</label>
      <input type="password" id="confirm" name="confirm" autocomplete="new-password" required minlength="{{minimum}}">
      <div class="actions"><button type="submit">Set password</button></div>
    </form>
    </div>
    {{/content}}{{/layout}}
    """

    static let signin = """
    {{<layout}}{{$content}}
    <div class="card">
    <form method="post" action="/signin" class="stack">
      <input type="hidden" name="csrf" value="{{chrome.csrf}}">
      <label for="password">Console password</label>
      <input type="password" id="password" name="password" autocomplete="current-password" required autofocus>
      <div class="actions"><button type="submit">Sign in</button></div>
    </form>
    </div>
    {{/content}}{{/layout}}
    """
}
