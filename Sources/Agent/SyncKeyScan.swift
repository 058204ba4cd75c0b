import Foundation
import SyncCore
import TielineCore

extension SyncRunner {
    /// Finds what Sage deleted when the source keeps no record of it: keys in the agent's ledger
    /// that a scan of Sage's keys no longer finds go to the hub as deletes.
    ///
    /// Safe to repeat: a crash mid-scan redoes it; a delete batch the hub already applied is sent
    /// again under a new sequence (deleting a missing row is harmless); keys leave the ledger only
    /// once the hub has applied their deletion.
    func scanForDeletions(_ entity: SyncEntity, reader: any SageEntityReader, columns: [String], plan: RunPlan,
                          progress: inout EntityProgress, force: Bool) async throws {
        let (connection, name) = (plan.connection, entity.name)
        let ledger = try state.keyScanState(connection: connection, entity: name)
        if !force, let last = ledger.scannedAt, Duration.seconds(Date().timeIntervalSince(last)) < options.keyScanEvery { return }
        try state.beginKeyScan(connection: connection, entity: name)
        let (state, chunk) = (state, options.batchSize)
        try await Offload.run {
            try reader.scanKeys(chunk: chunk) { (keys: [[SyncValue]]) throws(TielineError) in
                try state.recordScannedKeys(keys, connection: connection, entity: name)
            }
        }
        // A ledger begun after the hub already held rows cannot vouch for them: it adopts Sage's keys now.
        if ledger.complete {
            while true {
                if stop.isRequested {
                    throw SyncInterruption(message: "stopped on request while looking for deletions in \(name); the next run scans again")
                }
                let keys = try state.missingKeys(connection: connection, entity: name, limit: chunk)
                if keys.isEmpty { break }
                var ack: SyncBatchAck
                repeat {
                    let batch = SyncBatch(runID: plan.id, entity: name, sequence: progress.nextSequence, columns: columns, key: entity.table.key,
                                          dateColumn: entity.dateColumn, upserts: [], deletes: keys, throughVersion: progress.position)
                    ack = try await retrying("sending \(name) deletions") { try await destination.send(batch) }
                    try state.recordAck(plan: plan, entity: name, through: progress.position, upserts: 0,
                                        deletes: ack.duplicate ? 0 : keys.count, batch: true)
                    progress.nextSequence += 1
                    progress.batches += 1
                } while ack.duplicate
                progress.deletes += keys.count
                try state.forgetKeys(keys, connection: connection, entity: name)
            }
        }
        try state.finishKeyScan(connection: connection, entity: name, adoptScan: !ledger.complete)
    }
}
