import Agent
import ConsoleSupport
import Hummingbird
import SyncCore
import TielineCore

/// Mappings → Advanced Mappings for one connection (setup guide steps 2–4), saved through the
/// same `AgentConfigStore` calls as `tieline mappings`: ticking adds, unticking needs a confirmation.
struct MappingsRoutes: Sendable {
    let pages: AgentPages

    func add(to group: RouterGroup<AgentConsoleContext>) {
        let renderer = pages.renderer
        group.get("mappings") { request, context -> Response in
            let name = try request.uri.queryParameters.require("connection")
            let connection = try pages.store.connection(name)
            let summary = MappingsSummary(connection.mappings)
            let model = MappingsPage(
                chrome: pages.chrome("Mappings — \(name)", .connections, context), connection: name,
                ticked: summary.entities.filter(\.ticked).map(\.name),
                tickedCount: summary.entities.filter(\.ticked).count, total: summary.entities.count,
                cleared: summary.fieldOptions.filter { !$0.on }.map { "\($0.entity) › \($0.option)" },
                advancedHref: MappingsForm.advancedHref(name, highlight: nil))
            return renderer.page("mappings", model, request: request)
        }
        group.get("mappings/advanced") { request, context -> Response in
            let name = try request.uri.queryParameters.require("connection")
            let highlight = request.uri.queryParameters["highlight"].map(String.init)
            let connection = try pages.store.connection(name)
            let form = MappingsForm(connection: connection, ownsPJ: ownsPJ(connection), highlight: highlight)
            return renderer.page("advanced-mappings", form.page(pages.chrome("Advanced Mappings — \(name)", .connections, context)),
                                 request: request)
        }
        group.post("mappings/advanced") { request, context -> Response in
            try await save(request: request, context: context)
        }
        group.post("mappings/preset") { request, context -> Response in
            let form = context.console.form
            let name = form.text("connection")
            let change = try pages.store.applyPCCOPreset(connection: name, strict: form["strict"] == "on", dryRun: false)
            let flash = Flash(.notice, "PCCO export setup applied: " + change.lines.joined(separator: "; "))
            return renderer.redirect(MappingsForm.advancedHref(name, highlight: EntityCatalog.transaction.name), flash: flash)
        }
    }

    /// Save: ticks added and field options changed at once; a removal first shows what depends on it.
    func save(request: Request, context: AgentConsoleContext) async throws -> Response {
        let form = context.console.form
        let name = form.text("connection")
        let highlight = form["highlight"].flatMap { $0.isEmpty ? nil : $0 }
        let connection = try pages.store.connection(name)
        let wanted = Set(form.values("entity")).intersection(EntityCatalog.all.map(\.name))
        let added = EntityCatalog.all.map(\.name).filter { wanted.contains($0) && !connection.mappings.enabled.contains($0) }
        let removed = EntityCatalog.all.filter { !wanted.contains($0.name) && connection.mappings.isEnabled($0) }
        if !removed.isEmpty && form["confirm"] != "yes" {
            let model = RemovalPage(chrome: pages.chrome("Remove mappings from \(name)?", .connections, context), connection: name,
                                    removals: removed.map { Removal(entity: $0.name, dependents: Mappings.dependents(of: $0)) },
                                    fields: form.fields.filter { $0.name != "csrf" && $0.name != "confirm" }.map { HiddenField(name: $0.name, value: $0.value) },
                                    backHref: MappingsForm.advancedHref(name, highlight: highlight))
            return pages.renderer.page("mappings-confirm", model, request: request)
        }
        var change = MappingChange()
        do {
            if !added.isEmpty { change = try pages.store.enableEntities(added, connection: name) }
            if let entityName = form["fields_for"], let entity = EntityCatalog.entity(named: entityName) {
                let on = Set(form.values("field"))
                let options = entity.fieldOptions.map(\.name)
                let fields = try pages.store.setFieldOptions(entity: entity.name, exclude: options.filter { !on.contains($0) },
                                                             include: options.filter { on.contains($0) }, connection: name)
                change.cleared += fields.cleared
                change.restored += fields.restored
            }
            if !removed.isEmpty {
                change.removed = try pages.store.disableEntities(removed.map(\.name), connection: name, allowRemoval: true).removed
            }
        } catch {
            let refreshed = try pages.store.connection(name)
            var model = MappingsForm(connection: refreshed, ownsPJ: ownsPJ(refreshed), highlight: highlight)
                .page(pages.chrome("Advanced Mappings — \(name)", .connections, context))
            model.chrome.error = error.message
            return pages.renderer.page("advanced-mappings", model, request: request, status: .badRequest)
        }
        let summary = change.isEmpty ? "Saved: no changes." : "Saved: " + change.lines.joined(separator: "; ")
        return pages.renderer.redirect(MappingsForm.advancedHref(name, highlight: highlight), flash: Flash(.notice, summary))
    }

    /// Whether the connection's company owns PJ; a company that cannot be opened shows no PJ entities as available.
    func ownsPJ(_ connection: LocalConnection) -> Bool {
        (try? connection.openSource(home: pages.store.home).ownsPJ()) ?? false
    }

    struct MappingsPage: ConsolePageModel {
        var chrome: Chrome
        var connection: String
        var ticked: [String]
        var tickedCount: Int
        var total: Int
        var cleared: [String]
        var advancedHref: String
    }

    struct Removal: Sendable {
        var entity: String
        var dependents: [String]
    }

    struct HiddenField: Sendable {
        var name: String
        var value: String
    }

    struct RemovalPage: ConsolePageModel {
        var chrome: Chrome
        var connection: String
        var removals: [Removal]
        /// The submitted form, posted again with `confirm=yes`.
        var fields: [HiddenField]
        var backHref: String
    }
}
