import Foundation
import ServiceLifecycle
import Synchronization
import SyncCore
import TielineCore

/// A site's PCCO export queue: Procore's states and the moves between them, over any `HubStorage`.
///
/// Ready to Export → Accepted (with a Transaction Date) or Rejected / Retrieved → Exporting (an
/// agent holds it) → Synced, or Failed to Export. Every move is one atomic storage update with an
/// audit event naming who did it. What Procore must be told is queued as a write-back and rung
/// through `writeBackBell`, so the Procore bridge tells it at once and retries until it succeeds.
public struct ExportQueue: Sendable {
    public let storage: any HubStorage
    /// How long an agent holds an export before another delivery may take it (its agent died).
    public var lease: TimeInterval
    /// Rung when a write-back becomes due.
    public let writeBackBell: Doorbell
    /// Set when the hub starts shutting down: long-polls answer "nothing" at once so shutdown does not wait for them.
    public let closing = ClosingFlag()
    /// How long a check the agent could not answer (Sage unreadable) waits before it is handed out again.
    public var checkRetry: TimeInterval = 30
    /// A long-poll waits in slices of this length and looks at `closing` between them. Work arriving wakes it
    /// at once, never at a slice's end (tests make the slice long to prove it).
    public var pollSlice: Duration = .milliseconds(500)
    let now: @Sendable () -> Date

    public init(storage: any HubStorage, lease: TimeInterval = 60, writeBackBell: Doorbell = Doorbell(),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.storage = storage
        self.lease = lease
        self.writeBackBell = writeBackBell
        self.now = now
    }

    /// Checks an export against the site's mirror of Sage.
    public func validate(_ export: ChangeOrderExport, site: HubSite) async throws -> [ValidationProblem] {
        try ExportValidator.problems(export, lookup: try await MirrorLookup.prefetch(export, storage: storage, site: site, facts: storage.mirrorFacts))
    }

    /// The approver's Accept: validated again against the mirror, then handed to the agent.
    public func accept(id: Int64, site: HubSite, transactionDate: CalendarDate? = nil, actor: String) async throws -> HubExport {
        let current = try await record(id: id, site: site)
        guard current.status == .ready else {
            throw TielineError(.conflict, "export \(id) (PCCO \(current.export.number)) is \(current.status.label); only Ready to Export can be accepted")
        }
        var problems = try await validate(current.export, site: site)
        // What only Sage could decide, Sage already answered: its verdict stands, not the mirror's gaps
        // (the agent checks again as it writes).
        if problems.onlyMissing, current.sageCheckedAt != nil { problems = current.problems }
        let at = now()
        let date = transactionDate ?? current.export.transactionDate ?? CalendarDate.today(now: at)
        let updated = try await storage.updateExport(id: id, site: site) { [problems] record in
            guard record.status == .ready else {
                throw TielineError(.conflict, "export \(id) became \(record.status.label) meanwhile; nothing was accepted")
            }
            record.problems = problems
            guard problems.isEmpty else { return nil }
            record.status = .accepted
            record.transactionDate = date
            record.acceptedAt = at
            record.updatedAt = at
            return ExportEvent(at: at, actor: actor, action: "accepted", detail: "transaction date \(date)")
        }
        guard problems.isEmpty else {
            throw TielineError(.validationFailed, "PCCO \(current.export.number) cannot be accepted:\n"
                + problems.map { "  - \($0.message)" }.joined(separator: "\n"))
        }
        return updated
    }

    /// The approver's Reject: the PCCO goes back to Procore, editable again.
    public func reject(id: Int64, site: HubSite, comment: String?, actor: String) async throws -> HubExport {
        let comment = comment?.trimmingWhitespace().clipped(2000)
        return try await move(id: id, site: site, from: [.ready, .checking, .failed], to: .rejected, verb: "rejected", actor: actor,
                              detail: comment.flatMap { $0.isEmpty ? nil : $0 }) { record in
            record.comment = comment
            record.writeBack = WriteBackState(purpose: .rejected, dueAt: now())
        }
    }

    /// Retrieve: takes a PCCO back before it is accepted, so it can be edited in Procore.
    public func retrieve(id: Int64, site: HubSite, actor: String) async throws -> HubExport {
        try await move(id: id, site: site, from: [.ready, .checking], to: .retrieved, verb: "retrieved", actor: actor, detail: nil) { record in
            record.writeBack = WriteBackState(purpose: .rejected, dueAt: now())
        }
    }

    /// Resend after a fix: a failed export is validated again and made Ready to Export, or —
    /// when Sage already has it and only Procore's write-back failed — the write-back is retried.
    public func retry(id: Int64, site: HubSite, actor: String) async throws -> HubExport {
        let current = try await record(id: id, site: site)
        let resendable = current.status == .failed || current.status == .ready
        guard resendable || current.writeBack != nil else {
            throw TielineError(.conflict, "export \(id) (PCCO \(current.export.number)) is \(current.status.label); only Failed to Export can be retried")
        }
        // Anything else still waiting to tell Procore (Synced, Rejected, ...) is told again, and stays what it is.
        if !resendable || current.result != nil {
            let at = now()
            let updated = try await storage.updateExport(id: id, site: site) { record in
                record.writeBack?.dueAt = at
                return ExportEvent(at: at, actor: actor, action: "retried", detail: "telling Procore again")
            }
            writeBackBell.ring()
            return updated
        }
        let problems = try await validate(current.export, site: site)
        let at = now()
        let linked = try await storage.procoreLink(site: site) != nil
        let updated = try await storage.updateExport(id: id, site: site) { record in
            guard record.status == .failed || record.status == .ready else {
                throw TielineError(.conflict, "export \(id) became \(record.status.label) meanwhile; nothing was retried")
            }
            record.error = nil
            record.writeBack = nil
            let settled = self.settle(&record, problems: problems, at: at, linked: linked)
            return ExportEvent(at: at, actor: actor, action: "retried", detail: settled)
        }
        if updated.writeBack != nil { writeBackBell.ring() }
        return updated
    }

    /// Unlink a synced PCCO: Procore's origin ids are cleared; Sage keeps what was written.
    public func unlink(id: Int64, site: HubSite, actor: String) async throws -> HubExport {
        try await move(id: id, site: site, from: [.synced], to: .unlinked, verb: "unlinked", actor: actor,
                       detail: "Sage keeps change order \(try await record(id: id, site: site).export.number)") { record in
            record.writeBack = WriteBackState(purpose: .unlinked, dueAt: now())
        }
    }

    /// An admin's Reset: a synced, unlinked or failed export becomes Ready to Export again.
    /// Exporting it again writes nothing new while Sage still holds its change order (same Procore id).
    public func reset(id: Int64, site: HubSite, actor: String) async throws -> HubExport {
        let current = try await record(id: id, site: site)
        let problems = try await validate(current.export, site: site)
        // A reset waits for an approver's Accept; what the mirror cannot decide is asked of Sage first.
        return try await move(id: id, site: site, from: [.synced, .unlinked, .failed, .rejected, .retrieved],
                              to: problems.onlyMissing ? .checking : .ready, verb: "reset", actor: actor, detail: nil) { record in
            record.problems = problems
            record.sageCheckedAt = nil
            record.approvedInProcore = false
            record.result = nil
            record.error = nil
            record.drift = []
            record.transactionDate = nil
            record.acceptedAt = nil
            record.syncedAt = nil
            record.writeBack = current.status == .synced ? WriteBackState(purpose: .unlinked, dueAt: now()) : nil
        }
    }

    // MARK: The agent's side

    /// Hands the next accepted export to `agent`, waiting up to `wait` for one.
    public func next(site: HubSite, agent: String, wait: Duration) async throws -> ExportAssignment? {
        try await next(site: site, agent: agent, max: 1, wait: wait).first
    }

    /// Hands up to `max` exports to `agent` (oldest first), waiting up to `wait` for the first: exports
    /// for Sage to check first (when the agent takes `checks`, they gate Ready to Export), then accepted ones to write.
    public func next(site: HubSite, agent: String, max: Int, wait: Duration, checks: Bool = false) async throws -> [ExportAssignment] {
        let deadline = ContinuousClock.now + wait
        while true {
            var claimed: [ExportAssignment] = []
            if checks {
                claimed = try await storage.claimExports(site: site, agent: agent, now: now(), lease: lease, max: max, purpose: .check).map { export in
                    ExportAssignment(id: export.id, export: export.export, transactionDate: export.transactionDate ?? CalendarDate.today(now: now()),
                                     check: true)
                }
            }
            if claimed.count < max {
                claimed += try await storage.claimExports(site: site, agent: agent, now: now(), lease: lease, max: max - claimed.count,
                                                          purpose: .write).map { export in
                    ExportAssignment(id: export.id, export: export.export, transactionDate: export.transactionDate ?? CalendarDate.today(now: now()))
                }
            }
            if !claimed.isEmpty { return claimed }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero, !Task.isCancelled, !closing.isSet else { return [] }
            // With `checks`, a PCCO entering Checking with Sage wakes this poll like an Accept does.
            try await storage.waitForExports(site: site, timeout: min(remaining, pollSlice), checks: checks)
        }
    }

    /// What the agent did with an export: written (write-back queued) or Failed to Export.
    @discardableResult
    public func recordOutcome(id: Int64, site: HubSite, agent: String, outcome: ExportOutcome) async throws -> HubExport {
        let at = now()
        let linked = try await storage.procoreLink(site: site) != nil
        let updated = try await storage.updateExport(id: id, site: site) { record in
            Self.apply(outcome, to: &record, agent: agent, at: at, linked: linked)
        }
        if updated.writeBack != nil { writeBackBell.ring() }
        return updated
    }

    /// What the agent did with a batch of exports, recorded in one transaction (a burst's reports cost the hub one
    /// write instead of one each); exports the site does not have are left out of the answer.
    public func recordOutcomes(_ outcomes: [(id: Int64, outcome: ExportOutcome)], site: HubSite, agent: String) async throws -> [HubExport] {
        let at = now()
        let linked = try await storage.procoreLink(site: site) != nil
        let byID = Dictionary(outcomes.map { ($0.id, $0.outcome) }, uniquingKeysWith: { first, _ in first })
        let updated = try await storage.updateExports(ids: outcomes.map(\.id), site: site) { record in
            guard let outcome = byID[record.id] else { return nil }
            return Self.apply(outcome, to: &record, agent: agent, at: at, linked: linked)
        }
        if updated.contains(where: { $0.writeBack != nil }) { writeBackBell.ring() }
        return updated
    }

    /// One outcome applied to its record; nil (nothing recorded) for a late report of an export already settled.
    static func apply(_ outcome: ExportOutcome, to record: inout HubExport, agent: String, at: Date, linked: Bool) -> ExportEvent? {
        // A late report for an export already settled (a redelivery raced the first agent) changes nothing.
        guard record.status == .exporting || record.status == .accepted else { return nil }
        record.claimedBy = nil
        record.claimedUntil = nil
        record.updatedAt = at
        if let written = outcome.written {
            record.result = written
            record.error = nil
            let what = "change order \(written.changeOrder) on contract \(written.contract), \(written.total), \(counted(written.entries.count, "transaction")) in batch \(written.batch)"
            if linked {
                record.status = .exporting
                record.writeBack = WriteBackState(purpose: .synced, dueAt: at)
            } else {
                record.status = .synced
                record.syncedAt = at
            }
            return ExportEvent(at: at, actor: agent, action: "written",
                               detail: (written.alreadyWritten ? "already in Sage, nothing written again: " : "") + what)
        }
        let message = outcome.errorMessage ?? "the agent reported a failure without a message"
        record.status = .failed
        record.error = message
        record.writeBack = linked ? WriteBackState(purpose: .failed, dueAt: at) : nil
        return ExportEvent(at: at, actor: agent, action: "failed", detail: "\(outcome.errorCode ?? "error"): \(message)")
    }

    /// Gives back what an agent held when it restarted (it cannot still be writing them).
    public func release(site: HubSite, agent: String?) async throws -> Int {
        var released = 0
        for record in try await storage.exports(site: site, statuses: [.exporting, .checking], limit: 10_000)
        where record.result == nil && record.claimedBy != nil && (agent == nil || record.claimedBy != agent) {
            let at = now()
            _ = try await storage.updateExport(id: record.id, site: site) { r in
                guard r.status == .exporting || r.status == .checking, r.result == nil, r.claimedBy != nil else { return nil }
                if r.status == .exporting { r.status = .accepted }
                r.claimedBy = nil
                r.claimedUntil = nil
                r.updatedAt = at
                return ExportEvent(at: at, actor: "hub", action: "released", detail: "the agent restarted; it will be delivered again")
            }
            released += 1
        }
        return released
    }

    // MARK: Write-back outcomes (the Procore bridge)

    /// How long a hub process holds a write-back it took: other processes skip it meanwhile, and if this one dies
    /// while telling Procore, another tells Procore once the hold lapses.
    public static let writeBackHold: TimeInterval = 120

    /// Takes the due write-backs among `ids` for this hub process, in one transaction; those another process took first
    /// (or that are no longer due) are left out. Several hub processes on one database read the same due list, so the
    /// hold moves each due time ahead inside the export's locked update, and only the process that moved it tells
    /// Procore. Returned in the order of `ids`.
    public func takeWriteBacks(ids: [Int64], site: HubSite) async throws -> [HubExport] {
        let at = now()
        let taken = Mutex(Set<Int>())
        // Locked in id order, so two processes taking overlapping lists never wait on each other in a cycle.
        let updated = try await storage.updateExports(ids: ids.sorted(), site: site) { record in
            guard var pending = record.writeBack, pending.dueAt <= at else { return nil }
            pending.dueAt = at.addingTimeInterval(Self.writeBackHold)
            record.writeBack = pending
            taken.withLock { _ = $0.insert(record.export.pccoID) }
            return nil
        }
        let took = taken.withLock { $0 }
        let byID = Dictionary(updated.filter { took.contains($0.export.pccoID) }.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return ids.compactMap { byID[$0] }
    }

    /// Procore was told: a synced write-back makes the export Synced.
    public func writeBackSucceeded(id: Int64, site: HubSite) async throws -> HubExport {
        let at = now()
        return try await storage.updateExport(id: id, site: site) { record in
            guard let pending = record.writeBack else { return nil }
            record.writeBack = nil
            record.updatedAt = at
            if pending.purpose == .synced {
                record.status = .synced
                record.syncedAt = at
            }
            return ExportEvent(at: at, actor: "procore", action: "told", detail: Self.told(pending.purpose))
        }
    }

    /// Procore could not be told; tried again after a growing delay (at most five minutes).
    public func writeBackFailed(id: Int64, site: HubSite, error: String) async throws -> HubExport {
        let at = now()
        return try await storage.updateExport(id: id, site: site) { record in
            guard var pending = record.writeBack else { return nil }
            pending.attempts += 1
            pending.lastError = error.clipped(2000)
            pending.dueAt = at.addingTimeInterval(Backoff(initial: .seconds(2), maximum: .seconds(300)).seconds(attempt: pending.attempts))
            record.writeBack = pending
            record.updatedAt = at
            return ExportEvent(at: at, actor: "hub", action: "write-back failed",
                               detail: "attempt \(pending.attempts): \(error.clipped(500)); trying again")
        }
    }

    static func told(_ purpose: WriteBackState.Purpose) -> String {
        switch purpose {
        case .synced: "Procore shows the PCCO as synced"
        case .failed: "Procore shows the export as failed"
        case .rejected: "the PCCO is editable again in Procore"
        case .unlinked: "Procore's link to Sage was cleared"
        }
    }

    // MARK: Helpers

    /// One export of the site, or a not-found error saying how to list them.
    public func record(id: Int64, site: HubSite) async throws -> HubExport {
        guard let record = try await storage.export(id: id, site: site) else {
            throw TielineError(.notFound, "no export \(id) in site '\(site.name)'; list them with: tieline exports list --status all")
        }
        return record
    }

    func move(id: Int64, site: HubSite, from: Set<ExportStatus>, to: ExportStatus, verb: String, actor: String, detail: String?,
              _ change: @escaping @Sendable (inout HubExport) -> Void) async throws -> HubExport {
        let at = now()
        // A site not linked to Procore has nobody to tell.
        let linked = try await storage.procoreLink(site: site) != nil
        let updated = try await storage.updateExport(id: id, site: site) { record in
            guard from.contains(record.status) else {
                let allowed = from.map(\.label).sorted().joined(separator: " or ")
                throw TielineError(.conflict, "export \(id) (PCCO \(record.export.number)) is \(record.status.label); only \(allowed) can be \(verb)")
            }
            record.status = to
            record.updatedAt = at
            change(&record)
            if !linked { record.writeBack = nil }
            return ExportEvent(at: at, actor: actor, action: verb, detail: detail)
        }
        if updated.writeBack != nil { writeBackBell.ring() }
        return updated
    }
}

/// A one-way switch, safe to read from any task.
public final class ClosingFlag: Sendable {
    private let value = Mutex(false)
    public init() {}
    public func set() { value.withLock { $0 = true } }
    public var isSet: Bool { value.withLock { $0 } }
}

/// Flips the queue's closing flag when graceful shutdown starts. Listed last, so the service group tells it first.
struct QueueCloser: Service {
    let queue: ExportQueue

    func run() async throws {
        try? await gracefulShutdown()
        queue.closing.set()
    }
}

extension TielineError.Code {
    /// An export that fails validation against the mirrored ERP data.
    public static let validationFailed = Self("validation_failed")
}
