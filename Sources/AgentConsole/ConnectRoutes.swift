import Agent
import ConsoleSupport
import Hummingbird
import TielineCore

/// The Connect tab: hub URL, site and the site's agent token (setup guide step 1).
struct ConnectRoutes: Sendable {
    let pages: AgentPages

    struct ConnectPage: ConsolePageModel {
        var chrome: Chrome
        var url: String
        var site: String
        /// `tl_…9f3a`, never the token itself.
        var maskedToken: String?
        var connected: Bool
    }

    func add(to group: RouterGroup<AgentConsoleContext>) {
        let renderer = pages.renderer
        group.get("connect") { request, context -> Response in
            renderer.page("connect", try page(context), request: request)
        }
        group.post("connect") { request, context -> Response in
            let form = context.console.form
            let store = pages.store
            do {
                // A blank token field keeps the stored token: the page never sends it back to the browser.
                var token = form["token"] ?? ""
                if token.isEmpty, let stored = try store.loadToken() { token = stored }
                let hub = try store.connect(url: form.text("url"), site: form.text("site"), token: token)
                let probe = await HubProbe.check(hub, token: token)
                let message = probe.passed
                    ? Flash(.notice, "Connected: \(hub.url), site \(hub.site) — \(probe.summary)")
                    : Flash(.error, "Saved \(hub.url) for site \(hub.site), but the check failed: \(probe.summary)")
                return renderer.redirect("/connect", flash: message)
            } catch let error as TielineError {
                var model = try page(context)
                model.url = form.text("url")
                model.site = form.text("site")
                model.chrome.error = error.message
                return renderer.page("connect", model, request: request, status: .badRequest)
            }
        }
        group.post("connect/check") { request, context -> Response in
            let store = pages.store
            guard let hub = try store.load().hub, let token = try store.loadToken() else {
                return renderer.redirect("/connect", flash: Flash(.error, "Not connected yet: fill in the hub URL, site and token, then Connect."))
            }
            let probe = await HubProbe.check(hub, token: token)
            return renderer.redirect("/connect", flash: Flash(probe.passed ? .notice : .error, "Check: \(probe.summary)"))
        }
    }

    func page(_ context: AgentConsoleContext) throws -> ConnectPage {
        let store = pages.store
        let hub = try store.load().hub
        let token = try store.loadToken()
        return ConnectPage(chrome: pages.chrome("Connect", .connect, context), url: hub?.url ?? "", site: hub?.site ?? "",
                           maskedToken: token.map(HubToken.masked), connected: hub != nil && token != nil)
    }
}

extension AgentTemplates {
    static let connect = """
    {{<layout}}{{$content}}
    <div class="card">
    <p>Connect this client to the cloud (the Tieline hub). Your Procore administrator gives you the hub URL, your site and its agent token.</p>
    {{#connected}}<p class="muted" id="current-connection">Connected to {{url}}, site {{site}}. Token: <span id="masked-token">{{maskedToken}}</span></p>{{/connected}}
    <form method="post" action="/connect" class="stack">
      <input type="hidden" name="csrf" value="{{chrome.csrf}}">
      <label for="url">Hub URL</label>
      <input type="url" id="url" name="url" value="{{url}}" placeholder="https://hub.example.com" required>
      <label for="site">Site</label>
      <input type="text" id="site" name="site" value="{{site}}" required>
      <label for="token">Agent token{{#maskedToken}} (leave blank to keep {{maskedToken}}){{/maskedToken}}</label>
      <input type="password" id="token" name="token" autocomplete="off" {{^maskedToken}}required{{/maskedToken}}>
      <div class="actions"><button type="submit" id="connect">Connect</button></div>
    </form>
    {{#connected}}
    <form method="post" action="/connect/check" class="actions">
      <input type="hidden" name="csrf" value="{{chrome.csrf}}">
      <button type="submit" class="secondary" id="check">Check the connection</button>
    </form>
    {{/connected}}
    </div>
    {{/content}}{{/layout}}
    """
}
