import Agent
import ConsoleSupport
import SyncCore

/// The Advanced Mappings form: a checkbox per entity in hh2's order and, for the highlighted
/// entity (Transaction (JC)), its field options as on/off toggles.
struct MappingsForm {
    let connection: LocalConnection
    let ownsPJ: Bool
    let highlight: String?

    struct EntityRow: Sendable {
        var id: String
        var name: String
        var ticked: Bool
        /// PJ entities of a company without Project Management cannot be ticked.
        var disabled: Bool
        var note: String?
        var highlighted: Bool
        /// Link that highlights this entity to show its field options.
        var optionsHref: String?
    }

    struct OptionRow: Sendable {
        var id: String
        var name: String
        var on: Bool
        var columns: String
    }

    struct Page: ConsolePageModel {
        var chrome: Chrome
        var connection: String
        var highlight: String
        var rows: [EntityRow]
        /// The highlighted entity's name, when it has field options to show.
        var optionsFor: String?
        var options: [OptionRow]
        var mappingsHref: String
    }

    func page(_ chrome: Chrome) -> Page {
        let highlighted = highlight.flatMap(EntityCatalog.entity(named:))
        let rows = EntityCatalog.all.enumerated().map { index, entity in
            let lacksModule = entity.requiresModule == .pj && !ownsPJ
            return EntityRow(
                id: "entity-\(index)", name: entity.name, ticked: connection.mappings.isEnabled(entity),
                disabled: lacksModule && !connection.mappings.isEnabled(entity),
                note: lacksModule ? "needs Project Management (PJ), which this company does not own" : nil,
                highlighted: entity == highlighted,
                optionsHref: entity.fieldOptions.isEmpty ? nil : Self.advancedHref(connection.name, highlight: entity.name))
        }
        let cleared = highlighted.map { connection.mappings.clearedFields[$0.name] ?? [] } ?? []
        let options = (highlighted?.fieldOptions ?? []).enumerated().map { index, option in
            OptionRow(id: "field-\(index)", name: option.name, on: !cleared.contains(option.name),
                      columns: option.columns.joined(separator: ", "))
        }
        return Page(chrome: chrome, connection: connection.name, highlight: highlighted?.name ?? "", rows: rows,
                    optionsFor: options.isEmpty ? nil : highlighted?.name, options: options,
                    mappingsHref: "/mappings?connection=\(connection.name.queryEncoded)")
    }

    /// `/mappings/advanced?connection=…[&highlight=…]`.
    static func advancedHref(_ connection: String, highlight: String?) -> String {
        "/mappings/advanced?connection=\(connection.queryEncoded)" + (highlight.map { "&highlight=\($0.queryEncoded)" } ?? "")
    }
}

extension AgentTemplates {
    static let mappings = """
    {{<layout}}{{$content}}
    <div class="card">
    <p>{{tickedCount}} of {{total}} entities are ticked in Advanced Mappings on {{connection}}.</p>
    <p id="ticked-summary">{{#ticked}}<span class="status ok">{{.}}</span> {{/ticked}}{{^ticked}}Nothing is ticked yet.{{/ticked}}</p>
    <p class="muted">Cleared field options: {{#cleared}}{{.}}; {{/cleared}}{{^cleared}}none{{/cleared}}</p>
    <div class="actions"><a class="button" id="advanced-mappings" href="{{advancedHref}}">Advanced Mappings</a></div>
    </div>
    <h2>PCCO export in one step</h2>
    <form method="post" action="/mappings/preset" class="card">
      <input type="hidden" name="csrf" value="{{chrome.csrf}}">
      <input type="hidden" name="connection" value="{{connection}}">
      <p>Ticks the entities the setup guide lists for exporting Prime Contract Change Orders (never removing a tick) and clears
      Transaction (JC)'s Commitment Change Order, Employee, Equipment, Credit Account and Debit Account.</p>
      <span class="toggle"><input type="checkbox" id="strict" name="strict"><label for="strict">Also clear Pay ID, Reference 1 and Reference 2 (the guide's newer variant)</label></span>
      <div class="actions"><button type="submit" id="pcco-preset">Set up for PCCO export</button></div>
    </form>
    {{/content}}{{/layout}}
    """

    static let advancedMappings = """
    {{<layout}}{{$content}}
    <p class="muted">Tick what this client syncs. Do not remove ticks that were already there: unticking asks first and shows what depends on it.
    Select an entity's name with field options to highlight it and choose which of its fields are read and sent.</p>
    <form method="post" action="/mappings/advanced" id="advanced-mappings-form">
      <input type="hidden" name="csrf" value="{{chrome.csrf}}">
      <input type="hidden" name="connection" value="{{connection}}">
      <input type="hidden" name="highlight" value="{{highlight}}">
      <fieldset class="card"><legend>Entities</legend>
      <ul class="checks" id="entities">
      {{#rows}}
        <li{{#highlighted}} class="highlighted"{{/highlighted}}>
          <input type="checkbox" id="{{id}}" name="entity" value="{{name}}"{{#ticked}} checked{{/ticked}}{{#disabled}} disabled{{/disabled}}>
          <label for="{{id}}">{{name}}</label>
          {{#note}}<span class="muted">— {{note}}</span>{{/note}}
          {{#optionsHref}}<a href="{{optionsHref}}" class="muted"{{#highlighted}} aria-current="true"{{/highlighted}}>Field options of {{name}}</a>{{/optionsHref}}
        </li>
      {{/rows}}
      </ul>
      </fieldset>
      {{#optionsFor}}
      <input type="hidden" name="fields_for" value="{{optionsFor}}">
      <fieldset class="options" id="field-options"><legend>{{optionsFor}}: field options (on = read and sent)</legend>
      {{#options}}
        <span class="toggle"><input type="checkbox" role="switch" id="{{id}}" name="field" value="{{name}}"{{#on}} checked{{/on}}>
        <label for="{{id}}">{{name}}</label></span>
      {{/options}}
      </fieldset>
      {{/optionsFor}}
      <div class="actions"><button type="submit" id="save">Save</button><a class="button secondary" href="{{mappingsHref}}">Back to Mappings</a></div>
    </form>
    {{/content}}{{/layout}}
    """

    static let mappingsConfirm = """
    {{<layout}}{{$content}}
    <div class="card" role="alertdialog" aria-labelledby="confirm-title">
    <h2 id="confirm-title">Remove these ticks from {{connection}}?</h2>
    <p>The setup guide says not to remove ticks that were already there. Removing one stops syncing that entity.</p>
    <ul id="removals">
    {{#removals}}<li><strong>{{entity}}</strong>{{#dependents}} — {{.}}{{/dependents}}{{^dependents}} — nothing in Tieline depends on it{{/dependents}}</li>{{/removals}}
    </ul>
    <form method="post" action="/mappings/advanced" class="actions">
      <input type="hidden" name="csrf" value="{{chrome.csrf}}">
      {{#fields}}<input type="hidden" name="{{name}}" value="{{value}}">{{/fields}}
      <input type="hidden" name="confirm" value="yes">
      <button type="submit" class="danger" id="confirm-removal">Remove and save</button>
      <a class="button secondary" href="{{backHref}}">Cancel</a>
    </form>
    </div>
    {{/content}}{{/layout}}
    """
}
