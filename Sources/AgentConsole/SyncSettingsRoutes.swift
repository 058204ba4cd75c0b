import Agent
import ConsoleSupport
import Hummingbird
import SyncCore
import TielineCore

/// The Sync tab's Settings dialog for one connection: Sync Type (Deep / Incremental) and the
/// timeframe (The beginning of time / since a date / last N days), saved with `setSyncSettings`.
struct SyncSettingsRoutes: Sendable {
    let pages: AgentPages

    struct Page: ConsolePageModel {
        var chrome: Chrome
        var connection: String
        var deep: Bool
        var beginning: Bool
        var since: Bool
        var sinceDate: String
        var last: Bool
        var lastDays: String
        var cancelHref: String
    }

    func add(to group: RouterGroup<AgentConsoleContext>) {
        let renderer = pages.renderer
        group.get("sync/settings") { request, context -> Response in
            let name = try request.uri.queryParameters.require("connection")
            let settings = try pages.store.connection(name).settings
            return renderer.page("sync-settings", page(name, settings, context), request: request)
        }
        group.post("sync/settings") { request, context -> Response in
            let form = context.console.form
            let name = form.text("connection")
            do {
                let type = try SyncType(argument: form.text("type"))
                let timeframe = try Timeframe(parsing: try Self.timeframeArgument(form))
                let saved = try pages.store.setSyncSettings(connection: name, type: type, timeframe: timeframe)
                return renderer.redirect("/sync?selected=\(name.queryEncoded)",
                                         flash: Flash(.notice, "\(name): " + saved.lines.joined(separator: ", ")))
            } catch let error as TielineError {
                var model = page(name, try pages.store.connection(name).settings, context)
                model.chrome.error = error.message
                return renderer.page("sync-settings", model, request: request, status: .badRequest)
            }
        }
    }

    /// The form's choice as `Timeframe(parsing:)` reads it, the CLI's own syntax.
    static func timeframeArgument(_ form: FormData) throws(TielineError) -> String {
        switch form.text("timeframe") {
        case "beginning-of-time": return "beginning-of-time"
        case "since":
            guard !form.text("since").isEmpty else { throw TielineError(.invalidTimeframe, "choose the date to sync since") }
            return "since:" + form.text("since")
        case "last":
            return "last:" + form.text("days") + "d"
        default:
            throw TielineError(.invalidTimeframe, "choose a timeframe: The beginning of time, Since a date, or Last N days")
        }
    }

    func page(_ name: String, _ settings: SyncSettings, _ context: AgentConsoleContext) -> Page {
        var page = Page(chrome: pages.chrome("Settings — \(name)", .sync, context), connection: name, deep: settings.type == .deep,
                        beginning: false, since: false, sinceDate: "", last: false, lastDays: "90",
                        cancelHref: "/sync?selected=\(name.queryEncoded)")
        switch settings.timeframe {
        case .beginningOfTime: page.beginning = true
        case .since(let date):
            page.since = true
            page.sinceDate = "\(date)"
        case .last(let n, let unit):
            // Months and years set from the CLI are shown as their days, roughly; saving rewrites them in days.
            page.last = true
            page.lastDays = "\(unit == .days ? n : unit == .months ? n * 30 : n * 365)"
        }
        return page
    }
}

extension AgentTemplates {
    static let syncSettings = """
    {{<layout}}{{$content}}
    <form method="post" action="/sync/settings" class="card" role="dialog" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <input type="hidden" name="csrf" value="{{chrome.csrf}}">
      <input type="hidden" name="connection" value="{{connection}}">
      <fieldset><legend>Sync Type</legend>
        <span class="toggle"><input type="radio" id="type-deep" name="type" value="deep"{{#deep}} checked{{/deep}}><label for="type-deep">Deep</label></span>
        <span class="toggle"><input type="radio" id="type-incremental" name="type" value="incremental"{{^deep}} checked{{/deep}}><label for="type-incremental">Incremental</label></span>
        <p class="muted">Deep re-reads everything in the timeframe; Incremental reads only what changed since the last sync.</p>
      </fieldset>
      <fieldset><legend>Timeframe</legend>
        <div><span class="toggle"><input type="radio" id="timeframe-beginning" name="timeframe" value="beginning-of-time"{{#beginning}} checked{{/beginning}}><label for="timeframe-beginning">The beginning of time</label></span></div>
        <div><span class="toggle"><input type="radio" id="timeframe-since" name="timeframe" value="since"{{#since}} checked{{/since}}><label for="timeframe-since">Since a date</label></span>
          <label for="since-date" class="sr-only">Date to sync since</label><input type="date" id="since-date" name="since" value="{{sinceDate}}"></div>
        <div><span class="toggle"><input type="radio" id="timeframe-last" name="timeframe" value="last"{{#last}} checked{{/last}}><label for="timeframe-last">Last N days</label></span>
          <label for="last-days" class="sr-only">Number of days</label><input type="number" id="last-days" name="days" min="1" max="100000" value="{{lastDays}}"></div>
      </fieldset>
      <div class="actions"><button type="submit" id="settings-ok">OK</button><a class="button secondary" href="{{cancelHref}}">Cancel</a></div>
    </form>
    {{/content}}{{/layout}}
    """
}
