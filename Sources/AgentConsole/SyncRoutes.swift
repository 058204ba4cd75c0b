import Agent
import ConsoleSupport
import Foundation
import Hummingbird
import SyncCore
import TielineCore

/// The Sync tab (setup guide steps 5–6): tick connections, Settings, expand, Deselect All, tick, Sync.
struct SyncRoutes: Sendable {
    let pages: AgentPages

    func add(to group: RouterGroup<AgentConsoleContext>) {
        let renderer = pages.renderer
        group.get("sync") { request, context -> Response in
            // `selected` ticks (and expands) a connection, e.g. coming back from its Settings.
            let selected = request.uri.queryParameters["selected"].map(String.init)
            let state = SyncForm.State.defaults(selected: selected)
            return renderer.page("sync", try SyncForm(pages: pages).page(state, context: context), request: request)
        }
        group.post("sync/select") { request, context -> Response in
            // Deselect All without JavaScript: the same page, with that connection's entities unticked.
            var state = SyncForm.State(form: context.console.form)
            if let connection = context.console.form["deselect"] { state.deselect(connection) }
            return renderer.page("sync", try SyncForm(pages: pages).page(state, context: context), request: request)
        }
        group.post("sync") { request, context -> Response in
            let state = SyncForm.State(form: context.console.form)
            let form = SyncForm(pages: pages)
            do {
                let items = try form.items(state)
                let id = pages.console.jobs.start(items, home: pages.console.home, makeDestination: pages.console.makeDestination)
                return renderer.redirect("/sync/progress?job=\(id)")
            } catch let error as TielineError {
                var model = try form.page(state, context: context)
                model.chrome.error = error.message
                return renderer.page("sync", model, request: request, status: .badRequest)
            }
        }
        group.get("sync/progress") { request, context -> Response in
            let id = try request.uri.queryParameters.require("job")
            guard let job = pages.console.jobs.job(id) else {
                throw TielineError(.notFound, "no sync with that id is known to this console (it may have been restarted); see Sync for the history")
            }
            return renderer.page("sync-progress", SyncProgressPage(job: job, chrome: pages.chrome("Sync", .sync, context,
                                 refresh: job.finished ? nil : 1)), request: request)
        }
        SyncSettingsRoutes(pages: pages).add(to: group)
    }
}

/// The progress page's data: one section per connection, one line per entity.
struct SyncProgressPage: ConsolePageModel {
    struct Line: Sendable {
        var name: String
        var rows: Int
        var estimated: Int
        var status: String
        var running: Bool
        var done: Bool
    }

    struct Connection: Sendable {
        var id: String
        var name: String
        var status: String
        var statusClass: String
        var message: String?
        var runID: String?
        var rowsSent: Int
        var lines: [Line]
    }

    var chrome: Chrome
    var finished: Bool
    var summary: String
    var connections: [Connection]

    init(job: SyncJobs.Job, chrome: Chrome) {
        self.chrome = chrome
        finished = job.finished
        connections = job.connections.enumerated().map { index, c in
            Connection(id: "progress-\(index)", name: c.name, status: Self.label(c.status),
                       statusClass: ["completed": "ok", "failed": "bad", "interrupted": "bad", "running": "running"][c.status] ?? "",
                       message: c.message, runID: c.runID, rowsSent: c.rowsSent,
                       lines: c.entities.map { Line(name: $0.name, rows: $0.rows, estimated: max($0.estimated, $0.rows), status: Self.label($0.status),
                                                    running: $0.status == "running", done: $0.status == "done") })
        }
        let total = job.connections.map(\.rowsSent).reduce(0, +)
        if !job.finished {
            summary = "Syncing… this page refreshes every second."
        } else if job.connections.allSatisfy({ $0.status == "completed" }) {
            summary = "Sync completed: \(total) rows sent."
        } else {
            summary = "Sync finished with problems; see below. An interrupted sync resumes where it stopped the next time it runs."
        }
    }

    static func label(_ status: String) -> String {
        ["waiting": "Waiting", "running": "Syncing", "done": "Done", "completed": "Completed", "failed": "Failed",
         "interrupted": "Interrupted"][status] ?? status.capitalized
    }
}

extension AgentTemplates {
    static let syncProgress = """
    {{<layout}}{{$content}}
    <p id="sync-summary" role="status" class="{{#finished}}notice{{/finished}}">{{summary}}</p>
    {{#connections}}
    <section class="card" aria-labelledby="{{id}}">
      <h2 id="{{id}}">{{name}} <span class="status {{statusClass}}" data-status="{{status}}">{{status}}</span></h2>
      {{#message}}<p class="muted">{{message}}</p>{{/message}}
      <table>
        <thead><tr><th>Entity</th><th>Progress</th><th class="num">Rows</th><th>Status</th></tr></thead>
        <tbody>
        {{#lines}}<tr><td>{{name}}</td>
          <td><progress max="{{estimated}}" value="{{rows}}" aria-label="{{name}} progress">{{rows}} of {{estimated}}</progress></td>
          <td class="num">{{rows}} / {{estimated}}</td><td>{{status}}</td></tr>{{/lines}}
        </tbody>
      </table>
      {{#runID}}<p class="muted">Run {{runID}} — {{rowsSent}} rows sent</p>{{/runID}}
    </section>
    {{/connections}}
    <div class="actions"><a class="button secondary" href="/sync">Back to Sync</a></div>
    {{/content}}{{/layout}}
    """
}
