import ConsoleSupport
import Foundation
import Hub
import Hummingbird
import SyncCore
import TielineCore

/// Procore's ERP Integrations lists (Ready to Export, Failed to Export, Synced, Archived) and a
/// detail page per PCCO, always of the signed-in user's own site.
struct ExportPagesRoutes: Sendable {
    let pages: HubPages

    /// The list filters in Procore's words, with the query value each uses.
    static let filters: [(value: String, label: String)] = [
        ("ready", "Ready to Export"), ("failed", "Failed to Export"), ("synced", "Synced"), ("archived", "Archived"), ("all", "All"),
    ]

    struct Row: Sendable {
        var href: String
        var number: String
        var title: String
        var project: String
        var contract: String
        var amount: String
        var status: String
        var statusClass: String
        var updated: String
        var problems: Int
    }

    struct ListPage: ConsolePageModel {
        var chrome: Chrome
        var filters: [Tab]
        var rows: [Row]
        var filterLabel: String
    }

    func add(to group: RouterGroup<HubConsoleContext>) {
        group.get("exports") { request, context -> Response in
            let user = try context.user()
            let filter = request.uri.queryParameters["filter"].map(String.init) ?? "ready"
            let statuses = try ExportStatus.filter(filter)
            let exports = try await pages.console.storage.exports(site: user.site, statuses: statuses, limit: 500)
            let model = ListPage(
                chrome: pages.chrome("ERP Integrations — Prime Contract Change Orders", .exports, context),
                filters: Self.filters.map { Tab($0.label, "\(HubConsole.base)/exports?filter=\($0.value)", current: $0.value == filter) },
                rows: exports.map(Self.row), filterLabel: Self.filters.first { $0.value == filter }?.label ?? filter)
            return pages.renderer.page("exports", model, request: request)
        }
        group.get("exports/:id") { request, context -> Response in
            let user = try context.user()
            let id = try QueryNumbers.id(context)
            // Looked up within the user's own site: another site's id is simply not found.
            guard let export = try await pages.console.storage.export(id: id, site: user.site) else {
                throw TielineError(.notFound, "there is no export \(id) in site \(user.site.name)")
            }
            let events = try await pages.console.storage.exportEvents(id: id, site: user.site)
            let model = ExportDetail(export: export, events: events, user: user,
                                     chrome: pages.chrome("PCCO \(export.export.number): \(export.export.title)", .exports, context))
            return pages.renderer.page("export", model, request: request)
        }
    }

    static func row(_ record: HubExport) -> Row {
        Row(href: "\(HubConsole.base)/exports/\(record.id)", number: record.export.number, title: record.export.title,
            project: "\(record.export.projectName) (\(record.export.job))", contract: record.export.contract,
            amount: "\(record.export.total)", status: record.status.label, statusClass: statusClass(record.status),
            updated: ExportDetail.time(record.updatedAt), problems: record.problems.count)
    }

    static func statusClass(_ status: ExportStatus) -> String {
        switch status {
        case .synced: "ok"
        case .failed, .rejected: "bad"
        case .accepted, .exporting, .checking: "running"
        default: ""
        }
    }
}

extension HubTemplates {
    static let exports = """
    {{<layout}}{{$content}}
    <nav aria-label="Filters" class="filters" id="filters">{{#filters}}<a href="{{href}}"{{#current}} class="current" aria-current="page"{{/current}}>{{label}}</a>{{/filters}}</nav>
    <table id="exports">
      <caption class="sr-only">{{filterLabel}}</caption>
      <thead><tr><th>#</th><th>Title</th><th>Project</th><th>Contract</th><th class="num">Amount</th><th>Status</th><th>Updated</th><th class="num">Problems</th></tr></thead>
      <tbody>
      {{#rows}}<tr><td><a href="{{href}}">{{number}}</a></td><td><a href="{{href}}">{{title}}</a></td><td>{{project}}</td><td>{{contract}}</td>
        <td class="num">{{amount}}</td><td><span class="status {{statusClass}}">{{status}}</span></td><td>{{updated}}</td><td class="num">{{problems}}</td></tr>{{/rows}}
      {{^rows}}<tr><td colspan="8" class="muted">No PCCOs in {{filterLabel}}.</td></tr>{{/rows}}
      </tbody>
    </table>
    {{/content}}{{/layout}}
    """
}
