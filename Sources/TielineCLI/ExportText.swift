import Foundation
import Hub
import SyncCore
import TielineCore

/// An export as `exports list --json` prints it.
struct ExportSummary: Encodable {
    var id: Int64
    var pccoID: Int
    var number: String
    var title: String
    var project: String
    var job: String
    var contract: String
    var amount: String
    var status: String
    var statusLabel: String
    var problems: [String]
    var transactionDate: String?
    var error: String?
    var updatedAt: Date

    init(_ e: HubExport) {
        id = e.id
        pccoID = e.pccoID
        number = e.export.number
        title = e.export.title
        project = e.export.projectName
        job = e.export.job
        contract = e.export.contract
        amount = e.export.total.description
        status = e.status.rawValue
        statusLabel = e.status.label
        problems = e.problems.map(\.message)
        transactionDate = e.transactionDate?.description
        error = e.error
        updatedAt = e.updatedAt
    }
}

/// `exports show --json`: the whole record and its audit trail.
struct ExportDetail: Encodable {
    var export: HubExport
    var events: [ExportEvent]
}

/// Human-readable export lists and details.
enum ExportText {
    static func table(_ exports: [HubExport]) -> String {
        let rows = exports.map { e in
            [String(e.id), e.export.number, e.export.title.clipped(30), e.export.job, e.export.contract, e.export.total.description,
             e.status.label + (e.problems.isEmpty || e.status != .ready ? "" : " (\(e.problems.count) problem\(e.problems.count == 1 ? "" : "s"))")]
        }
        var table = TextTable(["ID", "PCCO", "Title", "Job", "Contract", "Amount", "Status"])
        rows.forEach { table.add($0) }
        return table.rendered
    }

    static func detail(_ e: HubExport, events: [ExportEvent]) -> String {
        let x = e.export
        var out = ["Export \(e.id): PCCO \(x.number) — \(x.title)",
                   "  Status:           \(e.status.label)",
                   "  Procore:          project \(x.projectName) (\(x.procoreProjectID)), PCCO id \(x.pccoID), via \(intake(x.intake))",
                   "  Sage:             job \(x.job), contract \(x.contract)",
                   "  Amount:           \(x.total)"]
        if let date = e.transactionDate ?? x.transactionDate { out.append("  Transaction Date: \(date)") }
        if let comment = e.comment { out.append("  Comment:          \(comment)") }
        if let error = e.error { out.append("  Error:            \(error)") }
        out.append("  Lines:")
        // A line's amount includes its markups (Procore's documented reading); tax is shown, never written.
        for line in x.lines {
            let tax = line.taxAmount.map { ", tax \($0) (not written)" } ?? ""
            out.append("    \(line.label)  item \(line.contractItem)  amount \(line.amount)  (cost \(line.extendedAmount) on \(line.costCode) / \(line.category)\(tax))")
            for m in line.markups { out.append("       markup \(m.name)  \(m.amount) on \(m.costCode) / \(m.category)  (included in the amount)") }
        }
        if e.status == .checking {
            out.append("  Validation:       the mirror does not hold what follows; the agent is checking with Sage itself:")
            out += e.problems.map { "    - \($0.message)" }
        } else if !e.problems.isEmpty {
            out.append("  Validation (\(e.problems.count) problem\(e.problems.count == 1 ? "" : "s")):")
            out += e.problems.map { "    - \($0.message)" }
        } else {
            out.append(e.sageCheckedAt == nil ? "  Validation:       passes against the mirrored Sage data"
                                              : "  Validation:       passes; Sage itself confirmed what the mirror does not hold")
        }
        if e.approvedInProcore == true { out.append("  Approval:         approved in Procore by the accounting approver (no Accept in the hub)") }
        if let changes = e.procoreDrift, !changes.isEmpty {
            out.append("  Sent again by Procore after it was exported (ignored; Sage keeps what was written):")
            out += changes.map { "    - \($0)" }
        }
        if let r = e.result {
            out.append("  In Sage:          change order \(r.changeOrder) on contract \(r.contract), \(r.total); batch \(r.batch) entries \(r.entries.map(String.init).joined(separator: ", "))")
        }
        if let w = e.writeBack {
            out.append("  Procore:          to be told (\(w.purpose.rawValue)), \(counted(w.attempts, "failed attempt"))\(w.lastError.map { "; last: \($0)" } ?? "")")
        }
        if !e.drift.isEmpty {
            out.append("  Drift (edited in Sage since; Procore is not changed):")
            out += e.drift.map { "    - \($0)" }
        }
        out.append("  Audit trail:")
        let format = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        out += events.map { "    \($0.at.formatted(format))  \($0.actor)  \($0.action)\($0.detail.map { ": \($0)" } ?? "")" }
        return out.joined(separator: "\n")
    }

    static func intake(_ intake: ChangeOrderExport.Intake) -> String {
        switch intake {
        case .erpRequest(let detail): "ERP request (detail \(detail))"
        case .publicAPI: "public API"
        }
    }
}
