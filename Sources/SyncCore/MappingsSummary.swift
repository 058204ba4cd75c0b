import SageModel

/// What `mappings show` prints: every entity ticked or not, and each field option on or cleared.
public struct MappingsSummary: Sendable, Hashable, Codable {
    /// One row of the Advanced Mappings list.
    public struct EntityRow: Sendable, Hashable, Codable {
        public let name: String
        public let ticked: Bool
        /// Set for the PJ entities: they only exist where the company owns Project Management.
        public let requiresModule: String?
    }

    /// One field option ("circle") of an entity: on (read and sent) or cleared.
    public struct FieldRow: Sendable, Hashable, Codable {
        public let entity: String
        public let option: String
        public let on: Bool
    }

    public let entities: [EntityRow]
    public let fieldOptions: [FieldRow]

    /// Summarizes `mappings` in hh2's order.
    public init(_ mappings: Mappings) {
        entities = EntityCatalog.all.map {
            EntityRow(name: $0.name, ticked: mappings.isEnabled($0), requiresModule: $0.requiresModule?.rawValue)
        }
        fieldOptions = EntityCatalog.all.flatMap { entity in
            entity.fieldOptions.map { option in
                FieldRow(entity: entity.name, option: option.name,
                         on: !(mappings.clearedFields[entity.name] ?? []).contains(option.name))
            }
        }
    }

    /// Lines such as `[x] Contract (CN)` and `    ○ Employee (cleared)` under their entity.
    public var lines: [String] {
        var out = ["Advanced Mappings ([x] ticked; ● on, ○ cleared):"]
        for row in entities {
            let module = row.requiresModule.map { " — needs the \($0) module" } ?? ""
            out.append("  [\(row.ticked ? "x" : " ")] \(row.name)\(module)")
            for option in fieldOptions where option.entity == row.name {
                out.append("        \(option.on ? "● \(option.option) (on)" : "○ \(option.option) (cleared)")")
            }
        }
        return out
    }
}

extension SyncSettings {
    /// The Settings dialog in hh2's words: `Sync Type: Deep`, `Timeframe: The beginning of time`.
    public var lines: [String] {
        ["Sync Type: \(type.displayName)", "Timeframe: \(timeframe)"]
    }
}
