import ConsoleSupport
import Foundation
import Hub
import Hummingbird
import TielineCore

/// What every hub console page shares: the chrome (tabs, user, CSRF token) and the error page.
struct HubPages: Sendable {
    let console: HubConsole
    let renderer: ConsoleRenderer
    /// The hub's export queue: every Accept and Reject goes through it, with the signed-in user as actor.
    let queue: ExportQueue

    static let product = "Tieline Hub"
    var base: String { HubConsole.base }

    enum Section { case dashboard, exports, users, none }

    func chrome(_ title: String, _ section: Section, _ context: HubConsoleContext) -> Chrome {
        guard let user = context.session?.user else {
            return Chrome(product: Self.product, title: title, base: base, csrf: context.console.csrf)
        }
        var tabs = [
            Tab("Dashboard", "\(base)/dashboard", current: section == .dashboard),
            Tab("ERP Integrations", "\(base)/exports", current: section == .exports),
        ]
        if user.role == .admin { tabs.append(Tab("Users", "\(base)/users", current: section == .users)) }
        return Chrome(product: "\(Self.product) · \(user.site.name)", title: title, base: base, csrf: context.console.csrf,
                      user: "\(user.name) (\(user.role.label))", tabs: tabs)
    }

    func errorPage(status: HTTPResponse.Status, message: String, context: HubConsoleContext, request: Request) -> Response {
        let title = switch status.code {
        case 403: "Not allowed"
        case 404: "Not found"
        default: "Something is wrong"
        }
        let model = MessagePage(chrome: chrome(title, .none, context), message: message,
                                back: context.session == nil ? "\(base)/signin" : "\(base)/dashboard")
        return renderer.page("message", model, request: request, status: status)
    }

    struct MessagePage: ConsolePageModel {
        var chrome: Chrome
        var message: String
        var back: String
    }
}

/// Sign in (site, user name, password) and Sign out.
struct HubSignInRoutes: Sendable {
    let pages: HubPages

    struct SignInPage: ConsolePageModel {
        var chrome: Chrome
        var site: String
        var name: String
    }

    func add(to group: RouterGroup<HubConsoleContext>) {
        let console = pages.console
        let renderer = pages.renderer
        let base = pages.base
        group.get("signin") { request, context -> Response in
            if context.session != nil { return renderer.redirect("\(base)/dashboard") }
            return renderer.page("signin", SignInPage(chrome: pages.chrome("Sign in", .none, context), site: "", name: ""), request: request)
        }
        group.post("signin") { request, context -> Response in
            let form = context.console.form
            let site = form.text("site"), name = form.text("user")
            let account = "\(site.lowercased())/\(name.lowercased())"
            let address = context.clientAddress
            func refuse(_ message: String) -> Response {
                var model = SignInPage(chrome: pages.chrome("Sign in", .none, context), site: site, name: name)
                model.chrome.error = message
                return renderer.page("signin", model, request: request, status: .unauthorized)
            }
            let wait = max(console.userThrottle.wait(account), console.addressThrottle.wait(address))
            guard wait == 0 else {
                return refuse("Too many failed sign-ins; wait \(Int(wait.rounded(.up))) seconds and try again.")
            }
            // The same answer, in the same time, for an unknown user and a wrong password, so neither can be probed.
            let password = form["password"] ?? ""
            let found = try await console.accounts.consoleCredentials(site: site, name: name)
            let verified = if let found { try await console.hasher.verify(password, hash: found.passwordHash) }
                           else { try await console.hasher.verifyUnknownUser(password) }
            guard let found, verified else {
                console.userThrottle.failed(account)
                console.addressThrottle.failed(address)
                return refuse("The site, user name or password is not right.")
            }
            console.userThrottle.succeeded(account)
            if let old = context.sessionID { try await console.accounts.deleteConsoleSession(idHash: ConsoleSecrets.sha256(old)) }
            let id = ConsoleSecrets.token()
            let now = Date()
            try await console.accounts.createConsoleSession(idHash: ConsoleSecrets.sha256(id), userID: found.user.id,
                                                            csrf: ConsoleSecrets.token(), now: now,
                                                            expiresAt: now.addingTimeInterval(console.sessionLifetime))
            context.logger.info("console sign-in", metadata: ["site": "\(site)", "user": "\(name)"])
            var response = renderer.redirect("\(base)/dashboard")
            response.setCookie(renderer.cookies.session(id))
            return response
        }
        group.post("signout") { request, context -> Response in
            if let id = context.sessionID { try await console.accounts.deleteConsoleSession(idHash: ConsoleSecrets.sha256(id)) }
            var response = renderer.redirect("\(base)/signin", flash: Flash(.notice, "Signed out."))
            response.setCookie(renderer.cookies.clearSession())
            return response
        }
    }
}

extension HubTemplates {
    static let message = """
    {{<layout}}{{$content}}
    <div class="card"><p id="message">{{message}}</p><p><a href="{{back}}">Back</a></p></div>
    {{/content}}{{/layout}}
    """

    static let signin = """
    {{<layout}}{{$content}}
    <div class="card">
    <form method="post" action="{{chrome.base}}/signin" class="stack">
      <input type="hidden" name="csrf" value="{{chrome.csrf}}">
      <label for="site">Site</label>
      <input type="text" id="site" name="site" value="{{site}}" autocomplete="organization" required>
      <label for="user">User name</label>
      <input type="text" id="user" name="user" value="{{name}}" autocomplete="username" required>
      <label for="password">Password</label>
      <input type="password" id="password" name="password" autocomplete="current-password" required>
      <div class="actions"><button type="submit" id="sign-in">Sign in</button></div>
    </form>
    </div>
    {{/content}}{{/layout}}
    """
}
