import Foundation
import GRDB
import SyncCore
import TielineCore

/// An export plan as the agent recorded it, with the steps Sage is known to hold.
public struct RecordedExportPlan: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        /// Planned; steps may still be missing from Sage.
        case writing
        /// Every step is in Sage.
        case written
        /// A step was refused; the plan resumes from there when the export is sent again.
        case stopped
    }

    public var plan: ExportPlan
    public var connection: String
    public var status: Status
    public var error: String?
    /// Per step ordinal: what Sage holds for it.
    public var done: [Int: WrittenStep]
    /// Steps Sage already held when they came up (written by an earlier, unrecorded attempt).
    public var found: Set<Int>
}

/// The agent's record of step-by-step exports (`export_plan`, `export_step` in agent.sqlite).
extension AgentState {
    /// The plan recorded for `reference`, if any.
    public func exportPlan(reference: String) throws(TielineError) -> RecordedExportPlan? {
        try guarded {
            try writer.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM export_plan WHERE reference = ?", arguments: [reference]) else { return nil }
                let plan = try JSONDecoder().decode(ExportPlan.self, from: Data((row["plan"] as String).utf8))
                var done: [Int: WrittenStep] = [:]
                var found: Set<Int> = []
                for step in try Row.fetchAll(db, sql: "SELECT * FROM export_step WHERE reference = ?", arguments: [reference]) {
                    let ordinal: Int = step["ordinal"]
                    guard plan.steps.indices.contains(ordinal) else { continue }
                    done[ordinal] = WrittenStep(rowID: step["row_id"], amount: plan.steps[ordinal].amount, reference: reference, entry: step["entry"])
                    if step["found"] as Bool { found.insert(ordinal) }
                }
                return RecordedExportPlan(plan: plan, connection: row["connection"], status: RecordedExportPlan.Status(rawValue: row["status"]) ?? .writing,
                                          error: row["error"], done: done, found: found)
            }
        }
    }

    /// Records a plan before its first write.
    func recordExportPlan(_ plan: ExportPlan, connection: String) throws(TielineError) {
        try guarded {
            let json = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
            try writer.write { db in
                try db.execute(sql: "INSERT INTO export_plan (reference, connection, plan, status, created_at) VALUES (?, ?, ?, 'writing', ?)",
                               arguments: [plan.reference, connection, json, Self.timestamp()])
            }
        }
    }

    /// Records that Sage holds step `ordinal`.
    func recordExportStep(reference: String, ordinal: Int, step: ExportStep, written: WrittenStep, found: Bool) throws(TielineError) {
        try guarded {
            try writer.write { db in
                try db.execute(sql: """
                    INSERT OR REPLACE INTO export_step (reference, ordinal, step, row_id, entry, found, done_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [reference, ordinal, step.key, written.rowID, written.entry, found, Self.timestamp()])
            }
        }
    }

    /// Sets a plan's status (and the refusal that stopped it).
    func finishExportPlan(reference: String, status: RecordedExportPlan.Status, error: String? = nil) throws(TielineError) {
        try guarded {
            try writer.write { db in
                try db.execute(sql: "UPDATE export_plan SET status = ?, error = ?, finished_at = ? WHERE reference = ?",
                               arguments: [status.rawValue, error, status == .writing ? nil : Self.timestamp(), reference])
            }
        }
    }
}
