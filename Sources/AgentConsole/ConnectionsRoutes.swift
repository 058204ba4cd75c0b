import Agent
import ConsoleSupport
import Hummingbird
import SyncCore
import TielineCore

/// The Local Connections tab: list, add, test and remove connections to Sage companies (setup guide step 2).
struct ConnectionsRoutes: Sendable {
    let pages: AgentPages

    struct Row: Sendable {
        var name: String
        var sagePath: String
        var ticked: Int
        var syncType: String
        var timeframe: String
        var mappingsHref: String
    }

    struct ListPage: ConsolePageModel {
        var chrome: Chrome
        var rows: [Row]
        var empty: Bool
        var newName: String
        var newPath: String
    }

    struct TestPage: ConsolePageModel {
        var chrome: Chrome
        var report: ConnectionReport
        var rows: [TestRow]
        var mappingsHref: String
    }

    struct TestRow: Sendable {
        var entity: String
        var mapped: Bool
        var rows: String
    }

    struct RemovePage: ConsolePageModel {
        var chrome: Chrome
        var name: String
        var ticked: Int
        var dependents: [String]
        var hasDependents: Bool
    }

    func add(to group: RouterGroup<AgentConsoleContext>) {
        let renderer = pages.renderer
        group.get("connections") { request, context -> Response in
            renderer.page("connections", try list(context), request: request)
        }
        group.post("connections") { request, context -> Response in
            let form = context.console.form
            do {
                let added = try pages.store.addConnection(name: form.text("name"), sagePath: form.text("sage"))
                return renderer.redirect("/connections", flash: Flash(.notice,
                    "Added Local Connection \(added.name) → \(added.sagePath). Next: Mappings → Advanced Mappings."))
            } catch let error as TielineError {
                var model = try list(context)
                model.newName = form.text("name")
                model.newPath = form.text("sage")
                model.chrome.error = error.message
                return renderer.page("connections", model, request: request, status: .badRequest)
            }
        }
        group.post("connections/test") { request, context -> Response in
            let name = context.console.form.text("connection")
            do {
                let report = try ConnectionReport.test(try pages.store.connection(name), home: pages.store.home)
                let rows = report.entities.map { count in
                    TestRow(entity: count.entity, mapped: count.mapped,
                            rows: count.rows.map { "\($0)" } ?? "— (\(count.note ?? "n/a"))")
                }
                var model = TestPage(chrome: pages.chrome("Test \(name)", .connections, context), report: report, rows: rows,
                                     mappingsHref: "/mappings?connection=\(name.queryEncoded)")
                model.chrome.notice = "\(name): OK — Sage 300 CRE company '\(report.company)'"
                return renderer.page("connection-test", model, request: request)
            } catch let error as TielineError {
                return renderer.redirect("/connections", flash: Flash(.error, error.message))
            }
        }
        group.post("connections/remove") { request, context -> Response in
            let form = context.console.form
            let name = form.text("connection")
            let connection = try pages.store.connection(name)
            // Removing discards the connection's ticks, so it is confirmed on a page that says what depends on them.
            if !connection.mappings.enabled.isEmpty && form["confirm"] != "yes" {
                let ticked = EntityCatalog.all.filter(connection.mappings.isEnabled)
                let model = RemovePage(chrome: pages.chrome("Remove \(name)?", .connections, context), name: name,
                                       ticked: ticked.count, dependents: ticked.flatMap(Mappings.dependents),
                                       hasDependents: ticked.contains { !Mappings.dependents(of: $0).isEmpty })
                return renderer.page("connection-remove", model, request: request)
            }
            let removed = try pages.store.removeConnection(name: name, allowRemoval: true)
            return renderer.redirect("/connections", flash: Flash(.notice, "Removed Local Connection \(removed.name) (the Sage company file was not touched)."))
        }
    }

    func list(_ context: AgentConsoleContext) throws -> ListPage {
        let rows = try pages.store.load().connections.map { c in
            Row(name: c.name, sagePath: c.location, ticked: c.mappings.enabled.count, syncType: c.settings.type.displayName,
                timeframe: c.settings.timeframe.description, mappingsHref: "/mappings?connection=\(c.name.queryEncoded)")
        }
        return ListPage(chrome: pages.chrome("Local Connections", .connections, context), rows: rows, empty: rows.isEmpty,
                        newName: "", newPath: "")
    }
}

extension AgentTemplates {
    static let connections = """
    {{<layout}}{{$content}}
    {{#empty}}<p class="card">No Local Connections yet. Add the Sage 300 CRE company this client reads from and writes to.</p>{{/empty}}
    {{^empty}}
    <table id="connections">
      <thead><tr><th>Name</th><th>Sage company</th><th class="num">Entities ticked</th><th>Sync Type</th><th>Timeframe</th><th><span class="sr-only">Actions</span></th></tr></thead>
      <tbody>
      {{#rows}}
      <tr data-connection="{{name}}">
        <td>{{name}}</td><td><code>{{sagePath}}</code></td><td class="num">{{ticked}}</td><td>{{syncType}}</td><td>{{timeframe}}</td>
        <td class="actions">
          <a class="button" href="{{mappingsHref}}">Mappings</a>
          <form method="post" action="/connections/test"><input type="hidden" name="csrf" value="{{chrome.csrf}}"><input type="hidden" name="connection" value="{{name}}"><button type="submit" class="secondary">Test</button></form>
          <form method="post" action="/connections/remove"><input type="hidden" name="csrf" value="{{chrome.csrf}}"><input type="hidden" name="connection" value="{{name}}"><button type="submit" class="secondary">Remove</button></form>
        </td>
      </tr>
      {{/rows}}
      </tbody>
    </table>
    {{/empty}}
    <h2>Add a Local Connection</h2>
    <form method="post" action="/connections" class="stack card">
      <input type="hidden" name="csrf" value="{{chrome.csrf}}">
      <label for="name">Name</label>
      <input type="text" id="name" name="name" value="{{newName}}" placeholder="Company" required>
      <label for="sage">Sage company file</label>
      <input type="text" id="sage" name="sage" value="{{newPath}}" placeholder="/srv/sage/company.sqlite" required>
      <div class="actions"><button type="submit" id="add-connection">Add</button></div>
    </form>
    {{/content}}{{/layout}}
    """

    static let connectionTest = """
    {{<layout}}{{$content}}
    {{#report}}
    <div class="card"><dl class="facts">
      <dt>Company</dt><dd>{{company}}</dd>
      <dt>File</dt><dd><code>{{sagePath}}</code></dd>
      <dt>Modules</dt><dd>{{#modules}}{{.}} {{/modules}}{{^ownsPJ}}(no Project Management (PJ)){{/ownsPJ}}</dd>
    </dl></div>
    {{/report}}
    <table id="entity-counts">
      <thead><tr><th>Entity</th><th>Ticked</th><th class="num">Rows</th></tr></thead>
      <tbody>{{#rows}}<tr><td>{{entity}}</td><td>{{#mapped}}✓{{/mapped}}</td><td class="num">{{rows}}</td></tr>{{/rows}}</tbody>
    </table>
    <div class="actions"><a class="button" href="{{mappingsHref}}">Mappings</a><a class="button secondary" href="/connections">Back to Local Connections</a></div>
    {{/content}}{{/layout}}
    """

    static let connectionRemove = """
    {{<layout}}{{$content}}
    <div class="card">
    <p>{{name}} has {{ticked}} ticked entities in Advanced Mappings. Removing the connection discards them.</p>
    {{#hasDependents}}<p>What depends on them:</p>{{/hasDependents}}
    <ul id="dependents">{{#dependents}}<li>{{.}}</li>{{/dependents}}</ul>
    <form method="post" action="/connections/remove" class="actions">
      <input type="hidden" name="csrf" value="{{chrome.csrf}}">
      <input type="hidden" name="connection" value="{{name}}">
      <input type="hidden" name="confirm" value="yes">
      <button type="submit" class="danger">Remove {{name}}</button>
      <a class="button secondary" href="/connections">Cancel</a>
    </form>
    </div>
    {{/content}}{{/layout}}
    """
}
