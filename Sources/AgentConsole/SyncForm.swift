import Agent
import ConsoleSupport
import Foundation
import SyncCore
import TielineCore

/// The Sync tab's form: which connections are ticked, which are expanded, and which of each
/// connection's mapped entities are ticked (Deselect All, then tick).
struct SyncForm {
    let pages: AgentPages

    /// What the user has ticked so far; survives the no-JavaScript Deselect All round trip.
    struct State {
        var connections: Set<String>
        var expanded: Set<String>
        /// Ticked entities per connection; nil means all mapped entities (the default).
        var entities: [String: Set<String>]

        static func defaults(selected: String?) -> State {
            State(connections: selected.map { [$0] } ?? [], expanded: selected.map { [$0] } ?? [], entities: [:])
        }

        init(connections: Set<String>, expanded: Set<String>, entities: [String: Set<String>]) {
            self.connections = connections
            self.expanded = expanded
            self.entities = entities
        }

        /// Reads the posted form: `connection` boxes, `expanded` markers and `entity` boxes as `connection|entity`.
        init(form: FormData) {
            connections = Set(form.values("connection"))
            expanded = Set(form.values("expanded"))
            var entities: [String: Set<String>] = [:]
            for name in form.values("shown") { entities[name] = [] }
            for value in form.values("entity") {
                let parts = value.split(separator: "|", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { continue }
                entities[parts[0], default: []].insert(parts[1])
            }
            self.entities = entities
        }

        mutating func deselect(_ connection: String) {
            entities[connection] = []
            expanded.insert(connection)
        }
    }

    struct EntityBox: Sendable {
        var id: String
        var value: String
        var name: String
        var ticked: Bool
    }

    struct ConnectionBox: Sendable {
        var id: String
        var name: String
        var ticked: Bool
        var expanded: Bool
        var syncType: String
        var timeframe: String
        var settingsHref: String
        var mappedCount: Int
        var entities: [EntityBox]
    }

    struct HistoryRow: Sendable {
        var startedAt: String
        var connection: String
        var type: String
        var status: String
        var rows: Int
    }

    struct Page: ConsolePageModel {
        var chrome: Chrome
        var connections: [ConnectionBox]
        var empty: Bool
        var history: [HistoryRow]
    }

    func page(_ state: State, context: AgentConsoleContext) throws -> Page {
        let config = try pages.store.load()
        let boxes = config.connections.enumerated().map { index, connection in
            let mapped = EntityCatalog.all.filter(connection.mappings.isEnabled)
            let ticked = state.entities[connection.name]
            return ConnectionBox(
                id: "connection-\(index)", name: connection.name, ticked: state.connections.contains(connection.name),
                expanded: state.expanded.contains(connection.name), syncType: connection.settings.type.displayName,
                timeframe: connection.settings.timeframe.description,
                settingsHref: "/sync/settings?connection=\(connection.name.queryEncoded)", mappedCount: mapped.count,
                entities: mapped.enumerated().map { n, entity in
                    EntityBox(id: "connection-\(index)-entity-\(n)", value: "\(connection.name)|\(entity.name)", name: entity.name,
                              ticked: ticked?.contains(entity.name) ?? true)
                })
        }
        let history = ((try? AgentState.open(home: pages.console.home).history(limit: 5)) ?? []).map {
            HistoryRow(startedAt: $0.startedAt, connection: $0.connection, type: $0.type == "deep" ? "Deep" : "Incremental",
                       status: $0.status.rawValue, rows: $0.rowsSent)
        }
        return Page(chrome: pages.chrome("Sync", .sync, context), connections: boxes, empty: boxes.isEmpty, history: history)
    }

    /// The ticked connections with their ticked entities; refuses an empty choice with the reason.
    func items(_ state: State) throws(TielineError) -> [SyncJobs.Item] {
        let config = try pages.store.load()
        let chosen = config.connections.filter { state.connections.contains($0.name) }
        guard !chosen.isEmpty else {
            throw TielineError(.invalidInput, "tick a connection to sync")
        }
        return try chosen.map { connection throws(TielineError) in
            let mapped = EntityCatalog.all.filter(connection.mappings.isEnabled).map(\.name)
            let ticked = state.entities[connection.name].map { wanted in mapped.filter(wanted.contains) } ?? mapped
            guard !ticked.isEmpty else {
                throw TielineError(.invalidInput, mapped.isEmpty
                    ? "\(connection.name) has no entities ticked in Advanced Mappings; tick some under Local Connections → Mappings first"
                    : "no entity of \(connection.name) is ticked; tick the entities to sync (or untick the connection)")
            }
            return SyncJobs.Item(connection: connection.name, entities: ticked)
        }
    }
}

extension AgentTemplates {
    static let sync = """
    {{<layout}}{{$content}}
    {{#empty}}<p class="card">No Local Connections yet; add one under <a href="/connections">Local Connections</a>.</p>{{/empty}}
    {{^empty}}
    <form method="post" action="/sync" id="sync-form">
      <input type="hidden" name="csrf" value="{{chrome.csrf}}">
      {{#connections}}
      <fieldset class="card" id="{{id}}-card">
        <legend><span class="toggle"><input type="checkbox" id="{{id}}" name="connection" value="{{name}}"{{#ticked}} checked{{/ticked}}>
          <label for="{{id}}">{{name}}</label></span></legend>
        <p>Sync Type: <strong>{{syncType}}</strong> · Timeframe: <strong>{{timeframe}}</strong>
          <a class="button secondary" id="{{id}}-settings" href="{{settingsHref}}">Settings</a></p>
        <input type="hidden" name="shown" value="{{name}}">
        <details id="{{id}}-details"{{#expanded}} open{{/expanded}}>
          <summary>Entities ({{mappedCount}} ticked in Advanced Mappings)</summary>
          <input type="hidden" name="expanded" value="{{name}}">
          <div id="{{id}}-entities">
            <button type="submit" class="secondary" name="deselect" value="{{name}}" formaction="/sync/select" data-deselect="{{id}}-entities" id="{{id}}-deselect">Deselect All</button>
            <ul class="checks">
            {{#entities}}<li><input type="checkbox" id="{{id}}" name="entity" value="{{value}}"{{#ticked}} checked{{/ticked}}><label for="{{id}}">{{name}}</label></li>{{/entities}}
            </ul>
          </div>
        </details>
      </fieldset>
      {{/connections}}
      <div class="actions"><button type="submit" id="sync">Sync</button></div>
    </form>
    {{/empty}}
    <h2>Recent syncs</h2>
    <table id="history">
      <thead><tr><th>Started</th><th>Connection</th><th>Sync Type</th><th>Status</th><th class="num">Rows</th></tr></thead>
      <tbody>{{#history}}<tr><td>{{startedAt}}</td><td>{{connection}}</td><td>{{type}}</td><td>{{status}}</td><td class="num">{{rows}}</td></tr>{{/history}}
      {{^history}}<tr><td colspan="5" class="muted">No syncs yet.</td></tr>{{/history}}</tbody>
    </table>
    {{/content}}{{/layout}}
    """
}
