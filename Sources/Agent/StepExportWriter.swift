import Foundation
import SageModel
import SyncCore
import TielineCore

/// Writes exports exactly once through a Sage path that is NOT one transaction.
///
/// The export's plan is recorded in the agent's database before Sage is touched. Each step is then
/// looked up by its natural key, written only if Sage lacks it, read back and compared, and only
/// then marked done. A crash anywhere leaves either an unmarked step (found on resume, marked, not
/// written twice) or an unwritten one (written on resume): never a duplicate, never a silent gap.
public struct StepExportWriter: Sendable {
    /// Where in a step a failpoint fires.
    public enum Moment: String, Sendable { case before, after }

    public let target: any SageExportTarget
    public let state: AgentState
    /// The Local Connection the plans belong to (recorded with each plan).
    public let connection: String
    /// Called before each step's write and after it (before it is marked done); tests throw or kill here.
    public var failpoint: @Sendable (Moment, Int, ExportStep) throws -> Void

    public init(target: any SageExportTarget, state: AgentState, connection: String,
                failpoint: @escaping @Sendable (Moment, Int, ExportStep) throws -> Void = { _, _, _ in }) {
        self.target = target
        self.state = state
        self.connection = connection
        self.failpoint = failpoint
    }

    /// Writes the export (or finishes a plan an earlier attempt began) and reports Sage's keys.
    public func write(_ export: ChangeOrderExport, transactionDate: CalendarDate) throws(TielineError) -> SageWriteResult {
        let reference = procoreReference(pccoID: export.pccoID)
        let recorded: RecordedExportPlan
        if let existing = try state.exportPlan(reference: reference) {
            // Resume what was planned, never a fresh plan: entry coding and amounts stay those validated first.
            recorded = existing
        } else {
            let plan = try target.withLookup { lookup in try ExportPlan.make(export, transactionDate: transactionDate, lookup: lookup) }
            try state.recordExportPlan(plan, connection: connection)
            recorded = RecordedExportPlan(plan: plan, connection: connection, status: .writing, error: nil, done: [:], found: [])
        }
        let plan = recorded.plan
        var done = recorded.done
        var found = recorded.found
        var wroteAny = false
        for (ordinal, step) in plan.steps.enumerated() where done[ordinal] == nil {
            do {
                let written: WrittenStep
                if let present = try target.find(step, reference: reference) {
                    written = try verified(present, step, plan)
                    found.insert(ordinal)
                } else {
                    try failpoint(.before, ordinal, step)
                    try target.write(step, reference: reference)
                    wroteAny = true
                    try failpoint(.after, ordinal, step)
                    guard let back = try target.find(step, reference: reference) else {
                        throw TielineError(.exportPartial, "Sage accepted \(step.key) but it cannot be read back")
                    }
                    written = try verified(back, step, plan)
                }
                try state.recordExportStep(reference: reference, ordinal: ordinal, step: step, written: written, found: found.contains(ordinal))
                done[ordinal] = written
            } catch {
                let message = stopMessage(plan, done: done, at: step, error: error)
                try? state.finishExportPlan(reference: reference, status: .stopped, error: message)
                // Nothing written yet: the export's own refusal (conflict, invalid) is the answer.
                if done.isEmpty, let error = error as? TielineError { throw error }
                throw TielineError(.exportPartial, message)
            }
        }
        if recorded.status != .written { try state.finishExportPlan(reference: reference, status: .written) }
        return result(plan, done: done, alreadyWritten: recorded.status == .written || (!wroteAny && found.count == plan.steps.count))
    }

    /// The step as read back, if it is the step planned; a change order number held by another
    /// export, or a different amount, stops the export instead of being taken as done.
    func verified(_ present: WrittenStep, _ step: ExportStep, _ plan: ExportPlan) throws(TielineError) -> WrittenStep {
        if case .changeOrder(let header) = step, present.reference != plan.reference {
            let owner = present.reference.map { "another Procore change order (\($0))" } ?? "a change order entered in Sage"
            throw TielineError(.changeOrderConflict, "change order \(header.changeOrder) already exists on contract \(header.contract), from \(owner); it is not overwritten")
        }
        guard present.amount == step.amount else {
            throw TielineError(.exportPartial, "Sage holds \(step.key) with \(present.amount), the export planned \(step.amount)")
        }
        return present
    }

    /// Names what Sage holds and where the export stopped, so a half export is never unreported.
    func stopMessage(_ plan: ExportPlan, done: [Int: WrittenStep], at step: ExportStep, error: any Error) -> String {
        let reason = (error as? TielineError)?.message ?? "\(error)"
        guard !done.isEmpty else { return reason }
        let held = done.keys.sorted().map { plan.steps[$0].key }.joined(separator: ", ")
        return "PCCO stopped at \(step.key) of change order \(plan.changeOrder) on contract \(plan.contract): \(reason). "
            + "Sage already holds \(held); sending the export again finishes the remaining \(counted(plan.steps.count - done.count, "step")) without repeating these."
    }

    func result(_ plan: ExportPlan, done: [Int: WrittenStep], alreadyWritten: Bool) -> SageWriteResult {
        var items: [String: String] = [:]
        var estimates: [String: String] = [:]
        var entries: [Int64] = []
        var header = ""
        for (ordinal, step) in plan.steps.enumerated() {
            guard let written = done[ordinal] else { continue }
            switch step {
            case .changeOrder: header = written.rowID
            case .changeOrderItem(let item): items[item.item] = written.rowID
            case .jcEntry(let t):
                if let entry = written.entry { entries.append(entry) }
                if t.transactionType == TransactionType.approvedEstimateChange { estimates["\(t.costCode ?? "")|\(t.category ?? "")"] = written.rowID }
            }
        }
        return SageWriteResult(contract: plan.contract, changeOrder: plan.changeOrder, items: plan.items, batch: ExportWriter.batch,
                               entries: entries, total: plan.total, alreadyWritten: alreadyWritten,
                               rowIDs: SageRowIDs(changeOrder: header, items: items, estimates: estimates))
    }
}

extension TielineError.Code {
    /// Part of an export is in Sage and the rest could not be written; the message names both.
    public static let exportPartial = Self("export_partial")
}
