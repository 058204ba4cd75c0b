import Foundation
import SageModel
import SyncCore
import TielineCore

extension ExportQueue {
    /// After a sync: compares each synced export with the mirrored Sage change order and records
    /// what was edited in Sage since (PCCO sync is one way; Procore is never changed). Returns exports newly flagged.
    @discardableResult
    public func checkDrift(site: HubSite) async throws -> Int {
        var flagged = 0
        for record in try await storage.exports(site: site, statuses: [.synced], limit: 10_000) {
            guard let result = record.result else { continue }
            let drift = try await differences(record, result: result, site: site)
            guard drift != record.drift else { continue }
            let at = now()
            _ = try await storage.updateExport(id: record.id, site: site) { r in
                r.drift = drift
                return ExportEvent(at: at, actor: "hub", action: drift.isEmpty ? "drift cleared" : "drift",
                                   detail: drift.isEmpty ? "Sage matches the export again" : drift.joined(separator: "; "))
            }
            if !drift.isEmpty { flagged += 1 }
        }
        return flagged
    }

    /// What differs between Sage (as mirrored) and what the export wrote.
    func differences(_ record: HubExport, result: SageWriteResult, site: HubSite) async throws -> [String] {
        let co = "change order \(result.changeOrder) on contract \(result.contract)"
        let header = try await storage.mirrorRows(entity: EntityCatalog.contractChangeOrder.name, key: [result.contract, result.changeOrder],
                                                  page: 1, perPage: 1, site: site)
        guard let row = header.rows.first.map(MirrorLookup.values), MirrorLookup.text(row["Change_Order"]) == result.changeOrder else {
            // Not mirrored yet (the sync that carries it may still be running) says nothing.
            return record.drift
        }
        var drift: [String] = []
        if let amount = MirrorLookup.money(row["Amount"]), amount != result.total {
            drift.append("\(co): Amount is \(amount) in Sage, \(result.total) was exported")
        }
        if let description = MirrorLookup.text(row["Description"]), description != SageText.normalized(record.export.title) {
            drift.append("\(co): Description is '\(description)' in Sage, '\(record.export.title)' was exported")
        }
        if let status = MirrorLookup.text(row["Status"]), status != SageRules.contractStatusTakingChangeOrders {
            drift.append("\(co): Status is \(status) in Sage, \(SageRules.contractStatusTakingChangeOrders) was exported")
        }
        let items = try await storage.mirrorRows(entity: EntityCatalog.contractChangeOrderItem.name, key: [result.contract, result.changeOrder],
                                                 page: 1, perPage: 1000, site: site)
        if items.total > 0 {
            var inSage: [String: Money] = [:]
            for item in items.rows.map(MirrorLookup.values) {
                if let name = MirrorLookup.text(item["Item"]), let amount = MirrorLookup.money(item["Amount"]) { inSage[name] = amount }
            }
            for (item, amount) in result.items.sorted(by: { $0.key < $1.key }) {
                if let now = inSage[item], now != amount { drift.append("\(co) item \(item): Amount is \(now) in Sage, \(amount) was exported") }
                if inSage[item] == nil { drift.append("\(co) item \(item) is no longer in Sage") }
            }
            for item in inSage.keys.sorted() where result.items[item] == nil {
                drift.append("\(co) item \(item) was added in Sage")
            }
        }
        return drift
    }
}
