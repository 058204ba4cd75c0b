import ConsoleSupport
import Foundation
import Hub
import Hummingbird
import SyncCore

/// The site dashboard: last sync per entity, mirrored row counts, errors, and charts of sync
/// throughput and export latency. Everything comes from the signed-in user's own site.
struct DashboardRoutes: Sendable {
    let pages: HubPages

    struct EntityRow: Sendable {
        var name: String
        var rows: Int
        var lastSynced: String
        var lastRun: String
    }

    struct RunRow: Sendable {
        var startedAt: String
        var connection: String
        var type: String
        var status: String
        var statusClass: String
        var rows: Int
        var error: String?
    }

    struct Count: Sendable {
        var label: String
        var count: Int
        var href: String
    }

    /// One answer to a Procore staging request, with the records it sent.
    struct StagingRow: Sendable {
        struct Record: Sendable {
            var action: String
            var itemType: String
            var code: String
            var note: String?
        }
        var at: String
        var event: String
        var summary: String
        var rowClass: String
        var records: [Record]
        var more: Int?
    }

    struct Page: ConsolePageModel {
        var chrome: Chrome
        var site: String
        var entities: [EntityRow]
        var runs: [RunRow]
        var counts: [Count]
        var errors: [String]
        var throughputChart: String
        var latencyChart: String
        /// The last stagings of Sage jobs and prime contracts for Procore's Ready to Import, newest first.
        var stagings: [StagingRow]
        var hasStagings: Bool
    }

    func add(to group: RouterGroup<HubConsoleContext>) {
        group.get("dashboard") { request, context -> Response in
            let user = try context.user()
            let page = try await model(site: user.site, chrome: pages.chrome("Dashboard", .dashboard, context))
            return pages.renderer.page("dashboard", page, request: request)
        }
    }

    func model(site: HubSite, chrome: Chrome) async throws -> Page {
        let storage = pages.console.storage
        let runs = try await storage.runs(site: site, limit: 200)
        var entities: [EntityRow] = []
        for entity in EntityCatalog.all {
            let rows = try await storage.mirrorRows(entity: entity.name, key: [], page: 1, perPage: 1, site: site).total
            let last = runs.lazy.compactMap { run in run.entityCounts.first { $0.entity == entity.name && $0.completedAt != nil }.map { (run, $0) } }.first
            entities.append(EntityRow(name: entity.name, rows: rows, lastSynced: last?.1.completedAt ?? "never",
                                      lastRun: last.map { "\($0.0.type == "deep" ? "Deep" : "Incremental"), \($0.1.rowsUpserted) rows" } ?? ""))
        }
        let exports = try await storage.exports(site: site, statuses: nil, limit: 10_000)
        let counts = [("ready", ExportStatus.ready), ("failed", .failed), ("synced", .synced)].map { filter, status in
            Count(label: status.label, count: exports.filter { $0.status == status }.count, href: "\(HubConsole.base)/exports?filter=\(filter)")
        }
        let errors = runs.filter { $0.error != nil }.prefix(5).map { "Sync \($0.startedAt) (\($0.connection)): \($0.error ?? "")" }
            + exports.filter { $0.status == .failed }.prefix(5).map { "PCCO \($0.export.number): \($0.error ?? "Failed to Export")" }
        let throughput = runs.compactMap { run -> SVGChart.Point? in
            guard let start = Self.date(run.startedAt), let end = run.finishedAt.flatMap(Self.date), end >= start else { return nil }
            let rows = run.entityCounts.reduce(0) { $0 + $1.rowsUpserted + $1.rowsDeleted }
            // Run times are kept to the second: a run inside one second counts as taking one.
            return SVGChart.Point(at: start, value: Double(rows) / max(end.timeIntervalSince(start), 1))
        }
        let latency = exports.compactMap { export -> SVGChart.Point? in
            guard let synced = export.syncedAt else { return nil }
            return SVGChart.Point(at: synced, value: synced.timeIntervalSince(export.acceptedAt ?? export.createdAt))
        }
        let stagings = try await storage.stagingHistory(site: site, limit: ProcoreStagingEntry.keep).map { entry in
            StagingRow(at: entry.at.ISO8601Format(), event: entry.event, summary: entry.summary, rowClass: entry.failed ? "problem" : "",
                       records: entry.changes.map { .init(action: $0.action, itemType: Self.itemTypes[$0.itemType] ?? $0.itemType,
                                                          code: $0.originCode ?? $0.originID, note: $0.note) },
                       more: entry.moreChanges > 0 ? entry.moreChanges : nil)
        }
        return Page(chrome: chrome, site: site.name, entities: entities,
                    runs: runs.prefix(10).map { run in
                        RunRow(startedAt: run.startedAt, connection: run.connection, type: run.type == "deep" ? "Deep" : "Incremental",
                               status: run.status, statusClass: run.status == "completed" ? "ok" : run.status == "running" ? "running" : "bad",
                               rows: run.entityCounts.reduce(0) { $0 + $1.rowsUpserted + $1.rowsDeleted }, error: run.error)
                    },
                    counts: counts, errors: Array(errors),
                    throughputChart: SVGChart(id: "throughput-chart", title: "Sync throughput per run", unit: "rows/s", points: throughput).svg,
                    latencyChart: SVGChart(id: "latency-chart", title: "Export latency: Accept to Synced", unit: "seconds", points: latency).svg,
                    stagings: stagings, hasStagings: !stagings.isEmpty)
    }

    /// Procore's names for the staged record types.
    static let itemTypes = ["project": "Project", "prime_contract": "Prime Contract", "line_item": "Line Item"]

    static func date(_ text: String) -> Date? { try? Date(text, strategy: .iso8601) }
}

extension HubTemplates {
    static let dashboard = """
    {{<layout}}{{$content}}
    <div class="filters" id="export-counts">{{#counts}}<a href="{{href}}">{{label}}: <strong>{{count}}</strong></a>{{/counts}}</div>
    <section class="card" aria-labelledby="errors-title"><h2 id="errors-title">Errors</h2>
      <ul id="errors">{{#errors}}<li class="problem">{{.}}</li>{{/errors}}{{^errors}}<li class="muted">No errors.</li>{{/errors}}</ul>
    </section>
    <section class="card" aria-labelledby="staging-title"><h2 id="staging-title">Staged for Procore (Ready to Import)</h2>
      {{^stagings}}<p id="staging" class="muted">Nothing staged yet: Procore's ERP tool asks for jobs and prime contracts (sync_jobs, sync_prime_contracts).</p>{{/stagings}}
      {{#hasStagings}}<table id="stagings">
        <thead><tr><th>When</th><th>Request</th><th>Outcome</th><th>Records</th></tr></thead>
        <tbody>{{#stagings}}<tr class="{{rowClass}}"><td>{{at}}</td><td>{{event}}</td><td>{{summary}}</td>
          <td><ul>{{#records}}<li>{{action}} {{itemType}} {{code}}{{#note}}: {{note}}{{/note}}</li>{{/records}}{{#more}}<li class="muted">and {{more}} more</li>{{/more}}</ul></td></tr>{{/stagings}}</tbody>
      </table>{{/hasStagings}}
    </section>
    <div class="grid">
      <section class="card"><h2>Sync throughput</h2>{{{throughputChart}}}</section>
      <section class="card"><h2>Export latency</h2>{{{latencyChart}}}</section>
    </div>
    <h2>Entities in the mirror</h2>
    <table id="entities">
      <thead><tr><th>Entity</th><th class="num">Rows</th><th>Last synced</th><th>Last run</th></tr></thead>
      <tbody>{{#entities}}<tr><td>{{name}}</td><td class="num">{{rows}}</td><td>{{lastSynced}}</td><td>{{lastRun}}</td></tr>{{/entities}}</tbody>
    </table>
    <h2>Recent syncs</h2>
    <table id="runs">
      <thead><tr><th>Started</th><th>Connection</th><th>Sync Type</th><th>Status</th><th class="num">Rows</th><th>Error</th></tr></thead>
      <tbody>{{#runs}}<tr><td>{{startedAt}}</td><td>{{connection}}</td><td>{{type}}</td><td><span class="status {{statusClass}}">{{status}}</span></td><td class="num">{{rows}}</td><td>{{error}}</td></tr>{{/runs}}
      {{^runs}}<tr><td colspan="6" class="muted">No syncs yet.</td></tr>{{/runs}}</tbody>
    </table>
    {{/content}}{{/layout}}
    """
}
