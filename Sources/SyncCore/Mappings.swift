import TielineCore

/// A connection's Advanced Mappings: which entities are ticked and which field options cleared.
///
/// The setup guide warns "Do NOT remove any previously selected checkmarks"; here that is a
/// guarantee: enabling is additive, and removal needs an explicit `allowRemoval`.
public struct Mappings: Sendable, Hashable, Codable {
    /// Ticked entities, by UI name.
    public var enabled: Set<String>
    /// Cleared field options per entity name (e.g. Transaction (JC) → Credit Account).
    public var clearedFields: [String: Set<String>]

    public init(enabled: Set<String> = [], clearedFields: [String: Set<String>] = [:]) {
        self.enabled = enabled
        self.clearedFields = clearedFields
    }

    /// Whether `entity` is ticked.
    public func isEnabled(_ entity: SyncEntity) -> Bool { enabled.contains(entity.name) }

    /// The columns to read and send for `entity`.
    public func columns(for entity: SyncEntity) -> [String] {
        entity.columns(excluding: clearedFields[entity.name] ?? [])
    }

    /// Ticks `entities`; never unticks anything.
    public mutating func enable(_ entities: [SyncEntity]) -> MappingChange {
        var change = MappingChange()
        for entity in entities where !enabled.contains(entity.name) {
            enabled.insert(entity.name)
            change.added.append(entity.name)
        }
        return change
    }

    /// Unticks `entities`, only with `allowRemoval`; otherwise the error lists what depends on them.
    public mutating func disable(_ entities: [SyncEntity], allowRemoval: Bool) throws(TielineError) -> MappingChange {
        let ticked = entities.filter { enabled.contains($0.name) }
        // Unticking what is not ticked removes nothing, so it needs no permission.
        guard allowRemoval || ticked.isEmpty else {
            let reasons = ticked.map { entity in
                let needs = Mappings.dependents(of: entity)
                return needs.isEmpty ? "\(entity.name) is ticked" : needs.joined(separator: "; ")
            }
            throw TielineError(.removalNotAllowed,
                "removing a ticked mapping needs --allow-removal (\(reasons.joined(separator: "; ")))")
        }
        var change = MappingChange()
        for entity in ticked {
            enabled.remove(entity.name)
            change.removed.append(entity.name)
        }
        return change
    }

    /// Clears (excludes) or restores (includes) field options of `entity`.
    public mutating func setFields(of entity: SyncEntity, exclude: [String], include: [String]) throws(TielineError) -> MappingChange {
        var change = MappingChange()
        var cleared = clearedFields[entity.name] ?? []
        for name in exclude + include {
            guard entity.fieldOption(named: name) != nil else {
                let valid = entity.fieldOptions.map(\.name)
                throw TielineError(.unknownFieldOption, valid.isEmpty
                    ? "\(entity.name) has no field options"
                    : "'\(name)' is not a field option of \(entity.name); valid: \(valid.joined(separator: ", "))")
            }
        }
        for name in exclude {
            let option = entity.fieldOption(named: name)!.name
            if cleared.insert(option).inserted { change.cleared.append("\(entity.name) › \(option)") }
        }
        for name in include {
            let option = entity.fieldOption(named: name)!.name
            if cleared.remove(option) != nil { change.restored.append("\(entity.name) › \(option)") }
        }
        clearedFields[entity.name] = cleared.isEmpty ? nil : cleared
        return change
    }

    /// What a user would lose by unticking `entity`, in words.
    public static func dependents(of entity: SyncEntity) -> [String] {
        PCCOExportPreset.entities.contains(entity) ? ["PCCO export needs \(entity.name)"] : []
    }
}

/// What a mappings command changed, for printing as a diff.
public struct MappingChange: Sendable, Hashable, Codable {
    public var added: [String] = []
    public var removed: [String] = []
    public var cleared: [String] = []
    public var restored: [String] = []
    /// Notes that are not changes, e.g. PJ entities skipped because the company lacks PJ.
    public var notes: [String] = []

    public init() {}

    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && cleared.isEmpty && restored.isEmpty }

    /// Lines such as `+ Contract (CN)` and `- Transaction (JC) › Employee`, or `no changes`.
    public var lines: [String] {
        var out = added.map { "+ \($0)" } + removed.map { "- \($0) (unticked)" }
            + cleared.map { "○ \($0) (cleared)" } + restored.map { "● \($0) (restored)" }
        if out.isEmpty { out.append("no changes") }
        return out + notes.map { "note: \($0)" }
    }
}

/// The setup guide's selection for exporting PCCOs, applied in one step.
public enum PCCOExportPreset {
    /// The entities to tick (step 3), including the two PJ ones.
    public static let entities: [SyncEntity] = [
        EntityCatalog.contract, EntityCatalog.contractChangeOrder, EntityCatalog.pjChangeOrder,
        EntityCatalog.contractChangeOrderItem, EntityCatalog.pjChangeRequest, EntityCatalog.contractItem,
        EntityCatalog.customer, EntityCatalog.customerType, EntityCatalog.invoice, EntityCatalog.job,
        EntityCatalog.quickBillContract, EntityCatalog.quickBillContractItem,
    ]
    /// Transaction (JC) options to clear (step 4).
    public static let clearedOptions = ["Commitment Change Order", "Employee", "Equipment", "Credit Account", "Debit Account"]
    /// The newer variant of the guide also clears these (`--strict`).
    public static let strictExtraOptions = ["Pay ID", "Reference 1", "Reference 2"]

    /// Applies the preset: adds, clears, never removes. Running it twice changes nothing.
    public static func apply(to mappings: inout Mappings, ownsPJ: Bool, strict: Bool) -> MappingChange {
        let wanted = entities.filter { $0.requiresModule != .pj || ownsPJ } + [EntityCatalog.transaction]
        var change = mappings.enable(wanted)
        let options = clearedOptions + (strict ? strictExtraOptions : [])
        // The option names are the catalog's own, so this cannot fail.
        let fields = try! mappings.setFields(of: EntityCatalog.transaction, exclude: options, include: [])
        change.cleared = fields.cleared
        if ownsPJ {
            change.notes.append("the company owns Project Management (PJ); Contract Change Order (PJ) and Contract Change Request (PJ) are included")
        } else {
            change.notes.append("the company does not own Project Management (PJ); Contract Change Order (PJ) and Contract Change Request (PJ) were not ticked")
        }
        return change
    }
}
