import ConsoleSupport
import Foundation
import Hub
import SyncCore
import TielineCore

/// One PCCO's page: its lines and markups, validation problems, what was written into Sage,
/// the audit trail, and the forms the signed-in user's role allows.
struct ExportDetail: ConsolePageModel {
    struct Line: Sendable {
        var number: Int
        var procoreID: Int
        var description: String
        var contractItem: String
        var costCode: String
        var category: String
        /// The line with its markups: the revenue change on the contract item.
        var amount: String
        /// The line before markups: the estimate change on its own cost code.
        var extendedAmount: String
        /// Shown, never written into Sage.
        var taxAmount: String
        var markups: [Markup]
    }

    struct Markup: Sendable {
        var name: String
        var costCode: String
        var category: String
        var amount: String
    }

    struct Event: Sendable {
        var at: String
        var actor: String
        var action: String
        var detail: String?
    }

    var chrome: Chrome
    var id: Int64
    var action: String
    var number: String
    var title: String
    var project: String
    var contract: String
    var status: String
    var statusClass: String
    var total: String
    var transactionDate: String?
    var acceptedAt: String?
    var syncedAt: String?
    var error: String?
    var comment: String?
    var written: String?
    var lines: [Line]
    var problems: [String]
    /// Approval, Sage checks and drift, in words.
    var notes: [String]
    var hasNotes: Bool
    var events: [Event]
    var canAccept: Bool
    var canReject: Bool
    var canRetry: Bool
    var canUnlink: Bool
    var viewerNote: Bool
    var today: String

    init(export record: HubExport, events: [ExportEvent], user: ConsoleUser, chrome: Chrome) {
        self.chrome = chrome
        let export = record.export
        id = record.id
        action = "\(HubConsole.base)/exports/\(record.id)"
        number = export.number
        title = export.title
        project = "\(export.projectName) — Sage job \(export.job)"
        contract = export.contract
        status = record.status.label
        statusClass = ExportPagesRoutes.statusClass(record.status)
        total = "\(export.total)"
        transactionDate = record.transactionDate.map { "\($0)" }
        acceptedAt = record.acceptedAt.map(Self.time)
        syncedAt = record.syncedAt.map(Self.time)
        error = record.error
        comment = record.comment
        written = record.result.map { r in
            "\(r.alreadyWritten ? "Already in Sage (nothing written again): " : "")change order \(r.changeOrder) on contract \(r.contract), \(r.total), \(counted(r.entries.count, "JC transaction")) in batch \(r.batch)"
        }
        lines = export.lines.map { line in
            Line(number: line.position, procoreID: line.procoreID, description: line.description, contractItem: line.contractItem,
                 costCode: line.costCode, category: line.category, amount: "\(line.amount)", extendedAmount: "\(line.extendedAmount)",
                 taxAmount: line.taxAmount.map { "\($0)" } ?? "",
                 markups: line.markups.map { Markup(name: $0.name, costCode: $0.costCode, category: $0.category, amount: "\($0.amount)") })
        }
        // Line problems already name Procore's line (`line 3 (id 99003, …)`).
        problems = record.problems.map(\.message)
        var notes: [String] = []
        if record.approvedInProcore == true { notes.append("Approved in Procore by the accounting approver: no Accept in the hub.") }
        if record.status == .checking { notes.append("Checking with Sage: the mirror does not hold everything this PCCO refers to, so the agent asks Sage itself.") }
        if record.sageCheckedAt != nil, record.problems.isEmpty { notes.append("Sage itself confirmed what the mirror does not hold.") }
        notes += record.drift.map { "Changed in Sage after the export: \($0)" }
        notes += (record.procoreDrift ?? []).map { "Sent again by Procore after it was exported (ignored): \($0)" }
        self.notes = notes
        hasNotes = !notes.isEmpty
        self.events = events.map { Event(at: Self.time($0.at), actor: $0.actor, action: $0.action, detail: $0.detail) }
        let decides = user.role.decidesExports
        canAccept = decides && record.status == .ready
        canReject = decides && (record.status == .ready || record.status == .failed)
        canRetry = decides && (record.status == .failed || record.writeBack != nil && record.result != nil)
        canUnlink = user.role == .admin && record.status == .synced
        viewerNote = !decides && record.status == .ready
        today = "\(CalendarDate.today())"
    }

    /// `2026-11-27 14:03:09 UTC`.
    static func time(_ date: Date) -> String {
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d UTC", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }
}

extension HubTemplates {
    static let export = """
    {{<layout}}{{$content}}
    <div class="card">
    <dl class="facts" id="facts">
      <dt>Status</dt><dd><span class="status {{statusClass}}" id="export-status">{{status}}</span></dd>
      <dt>Project</dt><dd>{{project}}</dd>
      <dt>Contract</dt><dd>{{contract}}</dd>
      <dt>Amount</dt><dd>{{total}}</dd>
      {{#transactionDate}}<dt>Transaction Date</dt><dd id="transaction-date">{{transactionDate}}</dd>{{/transactionDate}}
      {{#acceptedAt}}<dt>Accepted</dt><dd>{{acceptedAt}}</dd>{{/acceptedAt}}
      {{#syncedAt}}<dt>Synced</dt><dd>{{syncedAt}}</dd>{{/syncedAt}}
      {{#written}}<dt>In Sage</dt><dd id="written">{{written}}</dd>{{/written}}
      {{#error}}<dt>Error</dt><dd class="problem">{{error}}</dd>{{/error}}
      {{#comment}}<dt>Comment</dt><dd>{{comment}}</dd>{{/comment}}
    </dl>
    </div>
    {{#canAccept}}
    <div class="grid">
    <form method="post" action="{{action}}/accept" class="card stack" id="accept-form">
      <h2>Accept</h2>
      <input type="hidden" name="csrf" value="{{chrome.csrf}}">
      <label for="transaction-date-input">Transaction Date</label>
      <input type="date" id="transaction-date-input" name="transaction_date" value="{{today}}" required>
      <div class="actions"><button type="submit" id="accept">Accept</button></div>
    </form>
    {{/canAccept}}
    {{#canReject}}
    <form method="post" action="{{action}}/reject" class="card stack" id="reject-form">
      <h2>Reject</h2>
      <input type="hidden" name="csrf" value="{{chrome.csrf}}">
      <label for="comment">Comment (optional)</label>
      <textarea id="comment" name="comment" maxlength="2000"></textarea>
      <div class="actions"><button type="submit" class="danger" id="reject">Reject</button></div>
    </form>
    {{/canReject}}
    {{#canAccept}}</div>{{/canAccept}}
    {{#viewerNote}}<p class="muted" id="viewer-note">You can see this PCCO; an accounting approver Accepts or Rejects it.</p>{{/viewerNote}}
    <div class="actions">
    {{#canRetry}}<form method="post" action="{{action}}/retry"><input type="hidden" name="csrf" value="{{chrome.csrf}}"><button type="submit" class="secondary" id="retry">Retry</button></form>{{/canRetry}}
    {{#canUnlink}}<form method="post" action="{{action}}/unlink"><input type="hidden" name="csrf" value="{{chrome.csrf}}"><button type="submit" class="secondary" id="unlink">Unlink</button></form>{{/canUnlink}}
    </div>
    {{#hasNotes}}<ul id="notes">{{#notes}}<li>{{.}}</li>{{/notes}}</ul>{{/hasNotes}}
    <h2>Validation</h2>
    <ul id="problems">{{#problems}}<li class="problem">{{.}}</li>{{/problems}}{{^problems}}<li class="muted">No validation problems: everything the PCCO refers to exists in Sage.</li>{{/problems}}</ul>
    <h2>Line items</h2>
    <table id="lines">
      <thead><tr><th>#</th><th>Procore id</th><th>Description</th><th>Contract item</th><th>Cost code</th><th>Category</th><th class="num">Cost (estimate change)</th><th class="num">Amount (revenue, with markups)</th><th class="num">Tax (not written)</th></tr></thead>
      <tbody>
      {{#lines}}<tr><td>{{number}}</td><td>{{procoreID}}</td><td>{{description}}</td><td>{{contractItem}}</td><td>{{costCode}}</td><td>{{category}}</td><td class="num">{{extendedAmount}}</td><td class="num">{{amount}}</td><td class="num">{{taxAmount}}</td></tr>
        {{#markups}}<tr class="markup"><td></td><td></td><td>Markup: {{name}}</td><td></td><td>{{costCode}}</td><td>{{category}}</td><td class="num">{{amount}}</td><td class="num">(in the line's amount)</td><td></td></tr>{{/markups}}
      {{/lines}}
      </tbody>
    </table>
    <p class="muted">A line's Amount already includes its markups, as Procore sends it: the contract item's revenue changes by the Amount; the cost side takes the line before markups on its own cost code and each markup on its destination.</p>
    <h2>Audit trail</h2>
    <table id="audit">
      <thead><tr><th>When</th><th>Who</th><th>What</th><th>Detail</th></tr></thead>
      <tbody>{{#events}}<tr><td>{{at}}</td><td>{{actor}}</td><td>{{action}}</td><td>{{detail}}</td></tr>{{/events}}</tbody>
    </table>
    <p><a href="{{chrome.base}}/exports">Back to the list</a></p>
    {{/content}}{{/layout}}
    """
}
