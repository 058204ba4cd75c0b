import Foundation
import SyncCore

/// What a sync run reports while it works: one event per step, for a progress line or JSON lines.
public enum SyncEvent: Sendable, Hashable {
    /// A run began (or resumed, with the same id).
    case runStarted(runID: String, connection: String, type: SyncType, timeframe: Timeframe, entities: [String], resumed: Bool)
    /// An entity began; `estimatedRows` counts what is left to read (plus what was already sent).
    case entityStarted(entity: String, estimatedRows: Int)
    /// A batch was acknowledged.
    case progress(SyncProgress)
    /// An entity is done.
    case entityFinished(entity: String, upserts: Int, deletes: Int, batches: Int)
    /// The hub is not answering; the run waits and retries.
    case waiting(message: String, retryIn: Duration, attempt: Int)
    /// The run ended (completed, failed or interrupted), as recorded in history.
    case runFinished(SyncRunRecord)
}

/// One entity's progress within a run.
public struct SyncProgress: Sendable, Hashable, Codable {
    public var entity: String
    /// Rows sent so far in this run (upserts plus deletes, including before a resume).
    public var rows: Int
    /// Rows expected in all; grows if Sage changes during the run.
    public var estimatedRows: Int
    public var batches: Int
    /// Rows per second since this entity started in this process.
    public var rowsPerSecond: Double
    /// Seconds left at the current rate, when a rate is known.
    public var etaSeconds: Double?
}

/// Measures one entity's rate and ETA.
struct ProgressMeter {
    let entity: String
    let started = ContinuousClock.now
    /// Rows already sent before this process picked the entity up (a resumed run).
    let baseline: Int
    var estimatedRows: Int

    func snapshot(rows: Int, batches: Int) -> SyncProgress {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(rows - baseline) / seconds : 0
        let total = max(estimatedRows, rows)
        let eta = rate > 0 ? Double(total - rows) / rate : nil
        return SyncProgress(entity: entity, rows: rows, estimatedRows: total, batches: batches,
                            rowsPerSecond: rate, etaSeconds: eta)
    }
}

extension SyncEvent {
    /// The event as one JSON object, for `--json` output (one line per event).
    public var jsonLine: String {
        var object: [String: Any] = [:]
        switch self {
        case .runStarted(let runID, let connection, let type, let timeframe, let entities, let resumed):
            object = ["event": "run_started", "run": runID, "connection": connection, "type": type.rawValue,
                      "timeframe": timeframe.argument, "entities": entities, "resumed": resumed]
        case .entityStarted(let entity, let estimatedRows):
            object = ["event": "entity_started", "entity": entity, "estimated_rows": estimatedRows]
        case .progress(let p):
            object = ["event": "progress", "entity": p.entity, "rows": p.rows, "estimated_rows": p.estimatedRows,
                      "batches": p.batches, "rows_per_second": (p.rowsPerSecond * 10).rounded() / 10]
            if let eta = p.etaSeconds { object["eta_seconds"] = (eta * 10).rounded() / 10 }
        case .entityFinished(let entity, let upserts, let deletes, let batches):
            object = ["event": "entity_finished", "entity": entity, "upserts": upserts, "deletes": deletes, "batches": batches]
        case .waiting(let message, let retryIn, let attempt):
            object = ["event": "waiting", "message": message, "retry_in_seconds": Double(retryIn.components.seconds)
                      + Double(retryIn.components.attoseconds) / 1e18, "attempt": attempt]
        case .runFinished(let record):
            object = ["event": "run_finished", "run": record.id, "status": record.status.rawValue, "rows": record.rowsSent]
            if let error = record.error { object["error"] = error }
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
