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

    static func prefetch(_ export: ChangeOrderExport, storage: any HubStorage, site: HubSite,
                         facts: MirrorFacts) async throws -> MirrorLookup {
        var lookup = MirrorLookup()
        let contract = try await facts.contract(export.contract, site: site.id) {
            try await Self.contract(export.contract, storage: storage, site: site)
        }
        if let row = contract.row { lookup.contracts[export.contract] = row }
        // The setup guide's Sync selection leaves Job (CV) out, so a job is also known from its contract.
        var jobKnown = contract.row?.job == export.job
        if !jobKnown {
            jobKnown = try await facts.fact("job\u{1F}\(export.job)", site: site.id) {
                try await storage.mirrorRowExists(entity: EntityCatalog.job.name, key: [export.job], site: site)
            }
        }
        if jobKnown { lookup.jobs.insert(export.job) }
        for item in Set(export.lines.map(\.contractItem)) {
            let exists = if let items = contract.items { items.contains(item) } else {
                try await storage.mirrorRowExists(entity: EntityCatalog.contractItem.name, key: [export.contract, item], site: site)
            }
            if exists { lookup.contractItems.insert(item) }
        }
        let codings = Set(export.lines.flatMap { [Self.coding($0.costCode, $0.category)] + $0.markups.map { Self.coding($0.costCode, $0.category) } })
        for coding in codings {
            let parts = coding.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            let exists = try await facts.fact("cost\u{1F}\(export.job)\u{1F}\(coding)", site: site.id) {
                try await storage.costCodeExists(job: export.job, costCode: parts[0], category: parts[1], site: site)
            }
            if exists { lookup.categories.insert(coding) }
        }
        if let changeOrders = contract.changeOrders {
            if let reference = changeOrders[export.number] { lookup.changeOrders[export.number] = reference }
        } else {
            let changeOrder = try await storage.mirrorRows(entity: EntityCatalog.contractChangeOrder.name, key: [export.contract, export.number],
                                                           page: 1, perPage: 1, site: site)
            if let row = changeOrder.rows.first.map(Self.values), Self.text(row["Change_Order"]) == export.number {
                lookup.changeOrders[export.number] = Self.reference(row)
            }
        }
        return lookup
    }

    /// Most rows one read of a contract's items or change orders takes; a larger contract is asked row by row.
    static let contractReadLimit = 2_000

    /// A contract's row, items and change orders, each in one read.
    static func contract(_ name: String, storage: any HubStorage, site: HubSite) async throws -> MirrorFacts.Contract {
        var facts = MirrorFacts.Contract()
        let contract = try await storage.mirrorRows(entity: EntityCatalog.contract.name, key: [name], page: 1, perPage: 1, site: site)
        if let row = contract.rows.first.map(Self.values), Self.text(row["Contract"]) == name {
            facts.row = (Self.text(row["Job"]) ?? "", Self.text(row["Status"]) ?? "")
        }
        let items = try await storage.mirrorRows(entity: EntityCatalog.contractItem.name, key: [name], page: 1, perPage: contractReadLimit, site: site)
        if items.total <= contractReadLimit {
            facts.items = Set(items.rows.map(Self.values).filter { Self.text($0["Contract"]) == name }.compactMap { Self.text($0["Item"]) })
        }
        let changeOrders = try await storage.mirrorRows(entity: EntityCatalog.contractChangeOrder.name, key: [name], page: 1,
                                                        perPage: contractReadLimit, site: site)
        if changeOrders.total <= contractReadLimit {
            var known: [String: String?] = [:]
            for row in changeOrders.rows.map(Self.values) where Self.text(row["Contract"]) == name {
                if let number = Self.text(row["Change_Order"]) { known[number] = Self.reference(row) }
            }
            facts.changeOrders = known
        }
        return facts
    }

    /// Who exported a change order: its Chg_Mgmt_Ref_1, nil when Sage's user typed it.
    static func reference(_ row: [String: SyncValue]) -> String? {
        Self.text(row["Chg_Mgmt_Ref_1"]).flatMap { $0.isEmpty ? nil : $0 }
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
