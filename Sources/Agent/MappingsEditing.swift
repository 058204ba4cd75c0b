import SageStore
import SageModel
import SyncCore
import TielineCore

/// The Mappings / Advanced Mappings dialog for one connection, saved as it changes.
extension AgentConfigStore {
    /// Ticks `names` (additive, never unticks). A PJ entity needs a company that owns PJ.
    public func enableEntities(_ names: [String], connection: String) throws(TielineError) -> MappingChange {
        let entities = try Self.resolveAll(names)
        if let pj = entities.first(where: { $0.requiresModule == .pj }) {
            let company = try self.connection(connection).openSource(home: home)
            guard try company.ownsPJ() else {
                throw TielineError(.moduleNotOwned,
                    "\(pj.name) needs the Project Management (PJ) module, which this company does not own")
            }
        }
        return try updateConnection(connection) { (c: inout LocalConnection) -> MappingChange in c.mappings.enable(entities) }
    }

    /// Unticks `names`. Without `allowRemoval` nothing changes and the error says what depends on them.
    public func disableEntities(_ names: [String], connection: String, allowRemoval: Bool) throws(TielineError) -> MappingChange {
        let entities = try Self.resolveAll(names)
        return try updateConnection(connection) { (c: inout LocalConnection) throws(TielineError) -> MappingChange in
            try c.mappings.disable(entities, allowRemoval: allowRemoval)
        }
    }

    /// Clears (`exclude`) or restores (`include`) field options of one entity.
    public func setFieldOptions(entity name: String, exclude: [String], include: [String], connection: String) throws(TielineError) -> MappingChange {
        let entity = try EntityCatalog.resolve(name)
        if let both = exclude.first(where: { e in include.contains { $0.caseInsensitiveCompare(e) == .orderedSame } }) {
            throw TielineError(.invalidInput, "'\(both)' is given to both --exclude and --include; pick one")
        }
        return try updateConnection(connection) { (c: inout LocalConnection) throws(TielineError) -> MappingChange in
            try c.mappings.setFields(of: entity, exclude: exclude, include: include)
        }
    }

    /// Applies the setup guide's PCCO export selection; `dryRun` computes the diff and saves nothing.
    public func applyPCCOPreset(connection name: String, strict: Bool, dryRun: Bool) throws(TielineError) -> MappingChange {
        let ownsPJ = try connection(name).openSource(home: home).ownsPJ()
        if dryRun {
            var mappings = try connection(name).mappings
            return PCCOExportPreset.apply(to: &mappings, ownsPJ: ownsPJ, strict: strict)
        }
        return try updateConnection(name) { (c: inout LocalConnection) -> MappingChange in
            PCCOExportPreset.apply(to: &c.mappings, ownsPJ: ownsPJ, strict: strict)
        }
    }

    /// Sets the Sync tab's Settings for one connection; nil keeps the current value.
    public func setSyncSettings(connection: String, type: SyncType?, timeframe: Timeframe?) throws(TielineError) -> SyncSettings {
        try updateConnection(connection) { (c: inout LocalConnection) -> SyncSettings in
            if let type { c.settings.type = type }
            if let timeframe { c.settings.timeframe = timeframe }
            return c.settings
        }
    }

    static func resolveAll(_ names: [String]) throws(TielineError) -> [SyncEntity] {
        guard !names.isEmpty else {
            throw TielineError(.invalidInput, "name at least one entity, e.g. \"Contract Item (CN)\"")
        }
        var out: [SyncEntity] = []
        for name in names { out.append(try EntityCatalog.resolve(name)) }
        return out
    }
}
