import Agent
import ConsoleSupport
import Hummingbird
import TielineCore

/// What every agent console page shares: the chrome (tabs, user, CSRF token) and the error page.
struct AgentPages: Sendable {
    let console: AgentConsole
    let renderer: ConsoleRenderer

    static let product = "Tieline Synchronization Client"

    /// The configuration store every page reads and writes through (the CLI's own).
    var store: AgentConfigStore { AgentConfigStore(home: console.home) }

    /// The tabs, hh2's: Connect, Local Connections, Sync.
    enum Section: String { case connect, connections, sync, none }

    func chrome(_ title: String, _ section: Section, _ context: AgentConsoleContext, refresh: Int? = nil) -> Chrome {
        let tabs = context.console.signedIn ? [
            Tab("Connect", "/connect", current: section == .connect),
            Tab("Local Connections", "/connections", current: section == .connections),
            Tab("Sync", "/sync", current: section == .sync),
        ] : []
        return Chrome(product: Self.product, title: title, base: "", csrf: context.console.csrf,
                      user: context.console.signedIn ? "admin" : nil, tabs: tabs, refreshSeconds: refresh)
    }

    func errorPage(status: HTTPResponse.Status, message: String, context: AgentConsoleContext, request: Request) -> Response {
        var model = MessagePage(chrome: chrome(status == .forbidden ? "Refused" : "Something is wrong", .none, context),
                                message: message, back: context.console.signedIn ? "/connect" : "/signin")
        model.chrome.error = nil
        return renderer.page("message", model, request: request, status: status)
    }

    /// A message on its own page (errors, confirmations that need nothing else).
    struct MessagePage: ConsolePageModel {
        var chrome: Chrome
        var message: String
        var back: String
    }
}

extension AgentTemplates {
    static let message = """
    {{<layout}}{{$content}}
    <div class="card"><p>{{message}}</p><p><a href="{{back}}">Back</a></p></div>
    {{/content}}{{/layout}}
    """
}
