import SageModel
import TielineCore

/// One entity a user can map and sync, named as hh2 names it (e.g. `Contract Item (CN)`).
public struct SyncEntity: Sendable, Hashable, Identifiable {
    /// The UI name, verbatim from hh2's Advanced Mappings list.
    public let name: String
    /// The Sage table the entity's rows come from.
    public let table: SageTable
    /// A SQL condition on `table` when the entity is a subset of it (quick-bill jobs).
    public let filter: String?
    /// The date column a timeframe cuts on; nil for reference entities, which sync whole.
    public let dateColumn: String?
    /// A module the company must own for the entity to exist (PJ).
    public let requiresModule: SageModule?
    /// Optional field groups a user may clear (Transaction (JC)'s "circles").
    public let fieldOptions: [FieldOption]

    public var id: String { name }

    /// The name without its module suffix: `Contract Item` for `Contract Item (CN)`.
    public var baseName: String {
        guard let open = name.lastIndex(of: "("), name.hasSuffix(")") else { return name }
        return String(name[..<open]).trimmingWhitespace()
    }

    /// The columns read and sent when `cleared` field options are off; keys are always kept.
    public func columns(excluding cleared: Set<String>) -> [String] {
        let dropped = Set(fieldOptions.filter { cleared.contains($0.name) }.flatMap(\.columns))
        // Row_ID travels with every row: it is the record's origin id at the hub and in Procore.
        return table.syncedColumnNames.filter { !dropped.contains($0) }
    }

    /// The field option named `name`, case-insensitively.
    public func fieldOption(named name: String) -> FieldOption? {
        fieldOptions.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }
}

/// An optional group of columns on an entity, e.g. Transaction (JC)'s `Equipment`.
public struct FieldOption: Sendable, Hashable, Codable {
    /// The UI name, e.g. `Credit Account`.
    public let name: String
    /// The Sage columns it covers; a cleared option's columns are neither read nor sent.
    public let columns: [String]

    public init(_ name: String, _ columns: [String]) {
        self.name = name
        self.columns = columns
    }
}
