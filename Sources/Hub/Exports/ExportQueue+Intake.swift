import Foundation
import Synchronization
import SyncCore
import TielineCore

/// What became of one delivery of a PCCO from Procore.
public struct ExportReceipt: Sendable {
    /// The export as queued.
    public var record: HubExport
    /// Set when the delivery changed nothing, saying why (e.g. the PCCO is already Synced).
    public var ignored: String?
}

extension ExportQueue {
    /// A PCCO sent to ERP (either intake style), queued or refreshed; see `deliver`.
    @discardableResult
    public func receive(_ export: ChangeOrderExport, site: HubSite, actor: String = "procore",
                        approvedInProcore: Bool = false) async throws -> HubExport {
        try await deliver(export, site: site, actor: actor, approvedInProcore: approvedInProcore).record
    }

    /// A PCCO sent to ERP: validated against the mirror and put where it belongs.
    ///
    /// `approvedInProcore`: Procore's ERP flow sends `create_prime_contract_change_order` when "an
    /// accounting approver approves the export" (ERP Events Dictionary), so a valid PCCO goes straight
    /// to the agent with Procore's transaction date, and a refused one is failed back to Procore with
    /// the reasons. Otherwise it waits as Ready to Export for the hub's Accept. Either way, what the
    /// mirror cannot decide is first asked of Sage (Checking with Sage).
    public func deliver(_ export: ChangeOrderExport, site: HubSite, actor: String = "procore",
                        approvedInProcore: Bool = false) async throws -> ExportReceipt {
        let problems = try await validate(export, site: site)
        let at = now()
        let linked = try await storage.procoreLink(site: site) != nil
        guard let id = try await storage.exportID(pccoID: export.pccoID, site: site) else {
            var record = HubExport(export: export, problems: problems, now: at)
            record.approvedInProcore = approvedInProcore
            let detail = settle(&record, problems: problems, at: at, linked: linked)
            do {
                let inserted = try await storage.insertExport(record, event: ExportEvent(at: at, actor: actor, action: "received", detail: detail),
                                                              site: site)
                if inserted.writeBack != nil { writeBackBell.ring() }
                return ExportReceipt(record: inserted, ignored: nil)
            } catch let error as TielineError where error.code == .conflict {
                // Two polls raced (webhook and schedule): the other one queued it; refresh it like a resend.
                return try await deliver(export, site: site, actor: actor, approvedInProcore: approvedInProcore)
            }
        }
        let ignored = Mutex<String?>(nil)
        let record = try await storage.updateExport(id: id, site: site) { record in
            switch record.status {
            case .ready, .checking, .failed, .rejected, .retrieved, .unlinked:
                let unchanged = record.export == export && record.approvedInProcore == approvedInProcore
                if unchanged, record.status == .ready || record.status == .checking {
                    ignored.withLock { $0 = "PCCO \(export.number) was sent again unchanged; it stays \(record.status.label)" }
                    return nil
                }
                let previous = record.status
                record.export = export
                record.approvedInProcore = approvedInProcore
                record.error = nil
                record.comment = nil
                record.result = nil
                record.writeBack = nil
                record.sageCheckedAt = nil
                let settled = self.settle(&record, problems: problems, at: at, linked: linked)
                let why = previous == .ready || previous == .checking ? "Procore sent a changed PCCO" : "sent again after \(previous.label)"
                return ExportEvent(at: at, actor: actor, action: "resent", detail: "\(why); \(settled)")
            case .accepted, .exporting, .synced:
                // Procore locks a PCCO once it is sent; a repeat is the same request seen by another poll,
                // or a PCCO changed after it was written, which Tieline never writes twice.
                let changes = Self.payloadChanges(from: record.export, to: export)
                var note = "PCCO \(export.number) is already \(record.status.label); this delivery was ignored"
                if !changes.isEmpty { note += " (it differs from what was exported: \(changes.joined(separator: "; ")))" }
                ignored.withLock { $0 = note }
                guard !changes.isEmpty, record.procoreDrift != changes else { return nil }
                record.procoreDrift = changes
                record.updatedAt = at
                return ExportEvent(at: at, actor: actor, action: "ignored", detail: note)
            }
        }
        if record.writeBack != nil { writeBackBell.ring() }
        return ExportReceipt(record: record, ignored: ignored.withLock { $0 })
    }

    /// The agent's answer to a check: Sage's own verdict, final for what the mirror could not decide.
    @discardableResult
    public func recordCheck(id: Int64, site: HubSite, agent: String, problems: [ValidationProblem]) async throws -> HubExport {
        let at = now()
        let linked = try await storage.procoreLink(site: site) != nil
        let updated = try await storage.updateExport(id: id, site: site) { record in
            // A late answer (the export changed or another agent answered) changes nothing.
            guard record.status == .checking else { return nil }
            record.claimedBy = nil
            record.claimedUntil = nil
            record.sageCheckedAt = at
            let settled = self.settle(&record, problems: problems, at: at, linked: linked, sageAnswered: true)
            let verdict = problems.isEmpty ? "Sage holds everything the PCCO refers to" : "Sage confirms \(counted(problems.count, "problem"))"
            return ExportEvent(at: at, actor: agent, action: "checked", detail: "\(verdict); \(settled)")
        }
        if updated.writeBack != nil { writeBackBell.ring() }
        return updated
    }

    /// The agent could not read Sage to check the export: no verdict. It stays Checking with Sage, and
    /// no agent may claim the check again before `checkRetry` has passed (a temporary outage is waited out,
    /// never failed back to Procore).
    @discardableResult
    public func recordCheckUnanswered(id: Int64, site: HubSite, agent: String, reason: String) async throws -> HubExport {
        let at = now()
        let retry = checkRetry
        return try await storage.updateExport(id: id, site: site) { record in
            guard record.status == .checking else { return nil }
            record.claimedBy = nil
            // The check's claim condition is `claimed_until < now`: this holds it back until then.
            record.claimedUntil = at.addingTimeInterval(retry)
            record.updatedAt = at
            return ExportEvent(at: at, actor: agent, action: "not checked",
                               detail: "Sage could not be read: \(reason.clipped(500)); asking again in \(Int(retry)) s")
        }
    }

    /// Puts a validated export in the status its problems and its approval call for; returns the audit detail.
    ///
    /// `sageAnswered`: the problems are Sage's own verdict, so none is left for Sage to decide.
    func settle(_ record: inout HubExport, problems: [ValidationProblem], at: Date, linked: Bool, sageAnswered: Bool = false) -> String {
        record.problems = problems
        record.updatedAt = at
        let approved = record.approvedInProcore == true
        if !sageAnswered, problems.onlyMissing {
            record.status = .checking
            record.claimedBy = nil
            record.claimedUntil = nil
            return "the mirror does not hold \(counted(problems.count, "record")) the PCCO refers to; asking Sage"
        }
        if problems.isEmpty {
            guard approved else {
                record.status = .ready
                return "validated: ready to accept"
            }
            let date = record.export.transactionDate ?? CalendarDate.today(now: at)
            record.status = .accepted
            record.transactionDate = date
            record.acceptedAt = at
            return "approved in Procore by the accounting approver, transaction date \(date): sent to the agent"
        }
        guard approved else {
            record.status = .ready
            return counted(problems.count, "validation problem")
        }
        record.status = .failed
        record.error = "Tieline cannot export PCCO \(record.export.number) into Sage: " + problems.map(\.message).joined(separator: "; ")
        record.writeBack = linked ? WriteBackState(purpose: .failed, dueAt: at) : nil
        return "refused with \(counted(problems.count, "validation problem"))" + (linked ? "; Procore is told why" : "")
    }

    /// What differs between two deliveries of one PCCO, as a person would say it.
    static func payloadChanges(from old: ChangeOrderExport, to new: ChangeOrderExport) -> [String] {
        var changes: [String] = []
        if old.number != new.number { changes.append("number '\(old.number)' → '\(new.number)'") }
        if old.title != new.title { changes.append("title '\(old.title)' → '\(new.title)'") }
        if old.total != new.total { changes.append("total \(old.total) → \(new.total)") }
        let before = Dictionary(old.lines.map { ($0.procoreID, $0) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(new.lines.map { ($0.procoreID, $0) }, uniquingKeysWith: { a, _ in a })
        for line in new.lines {
            guard let was = before[line.procoreID] else { changes.append("\(line.label) added"); continue }
            if was.amount != line.amount { changes.append("\(line.label): amount \(was.amount) → \(line.amount)") }
            if was.contractItem != line.contractItem { changes.append("\(line.label): contract item \(was.contractItem) → \(line.contractItem)") }
            if was.costCode != line.costCode || was.category != line.category {
                changes.append("\(line.label): cost code \(was.costCode)/\(was.category) → \(line.costCode)/\(line.category)")
            }
        }
        for line in old.lines where after[line.procoreID] == nil { changes.append("\(line.label) removed") }
        if changes.isEmpty, old != new { changes.append("details changed") }
        return changes
    }
}
