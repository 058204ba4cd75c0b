import SyncCore
import TielineCore

/// Validation's answers from a site's mirror of Sage, fetched before the (synchronous) validator runs.
///
/// The validator asks a fixed set of questions about one export, so they are answered up front
/// from storage and the validator reads them from memory.
struct MirrorLookup: ERPLookup {
    /// What it does not hold, Sage may: problems say "not in the mirror".
    var isMirror: Bool { true }
    var jobs: Set<String> = []
    var contracts: [String: (job: String, status: String)] = [:]
    var contractItems: Set<String> = []
    var categories: Set<String> = []
    var changeOrders: [String: String?] = [:]

    static func prefetch(_ export: ChangeOrderExport, storage: any HubStorage, site: HubSite) async throws -> MirrorLookup {
        var lookup = MirrorLookup()
        let contract = try await storage.mirrorRows(entity: EntityCatalog.contract.name, key: [export.contract], page: 1, perPage: 1, site: site)
        if let row = contract.rows.first.map(Self.values), Self.text(row["Contract"]) == export.contract {
            lookup.contracts[export.contract] = (Self.text(row["Job"]) ?? "", Self.text(row["Status"]) ?? "")
        }
        // The setup guide's Sync selection leaves Job (CV) out, so a job is also known from its contract.
        var jobKnown = lookup.contracts[export.contract]?.job == export.job
        if !jobKnown { jobKnown = try await storage.mirrorRowExists(entity: EntityCatalog.job.name, key: [export.job], site: site) }
        if jobKnown { lookup.jobs.insert(export.job) }
        for item in Set(export.lines.map(\.contractItem))
        where try await storage.mirrorRowExists(entity: EntityCatalog.contractItem.name, key: [export.contract, item], site: site) {
            lookup.contractItems.insert(item)
        }
        let codings = Set(export.lines.flatMap { [Self.coding($0.costCode, $0.category)] + $0.markups.map { Self.coding($0.costCode, $0.category) } })
        for coding in codings {
            let parts = coding.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            if try await storage.costCodeExists(job: export.job, costCode: parts[0], category: parts[1], site: site) {
                lookup.categories.insert(coding)
            }
        }
        let changeOrder = try await storage.mirrorRows(entity: EntityCatalog.contractChangeOrder.name, key: [export.contract, export.number],
                                                       page: 1, perPage: 1, site: site)
        if let row = changeOrder.rows.first.map(Self.values), Self.text(row["Change_Order"]) == export.number {
            lookup.changeOrders[export.number] = .some(Self.text(row["Chg_Mgmt_Ref_1"]).flatMap { $0.isEmpty ? nil : $0 })
        }
        return lookup
    }

    func jobExists(_ job: String) throws -> Bool { jobs.contains(job) }
    func contract(_ contract: String) throws -> (job: String, status: String)? { contracts[contract] }
    func contractItemExists(contract: String, item: String) throws -> Bool { contractItems.contains(item) }
    func categoryExists(job: String, costCode: String, category: String) throws -> Bool { categories.contains(Self.coding(costCode, category)) }
    func changeOrderReference(contract: String, number: String) throws -> String?? { changeOrders[number] }

    static func coding(_ costCode: String, _ category: String) -> String { "\(costCode)|\(category)" }

    static func values(_ row: [(String, SyncValue)]) -> [String: SyncValue] {
        Dictionary(row, uniquingKeysWith: { a, _ in a })
    }

    static func text(_ value: SyncValue?) -> String? {
        switch value {
        case .text(let s): s
        case .integer(let n): String(n)
        default: nil
        }
    }

    static func money(_ value: SyncValue?) -> Money? {
        if case .integer(let cents) = value { return Money(cents: cents) }
        return nil
    }
}
