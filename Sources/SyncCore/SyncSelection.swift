import TielineCore

/// Resolves which entities one sync run covers: the mapped ones, or an `--only` subset.
public enum SyncSelection {
    /// The entities to sync, in catalog order; refuses, with the reason, anything not mapped,
    /// unknown, or needing a module the company does not own.
    public static func resolve(only: [String], mappings: Mappings, ownsPJ: Bool, connection: String = "NAME") throws(TielineError) -> [SyncEntity] {
        let mapped = EntityCatalog.all.filter { mappings.isEnabled($0) && ($0.requiresModule != .pj || ownsPJ) }
        guard !only.isEmpty else {
            guard !mapped.isEmpty else {
                throw TielineError(.entityNotMapped,
                    "no entity is mapped on connection \(connection); tick some in Advanced Mappings first: tieline mappings preset pcco-export --connection \(connection)")
            }
            return mapped
        }
        var chosen: [SyncEntity] = []
        for name in only {
            let entity = try EntityCatalog.resolve(name)
            if entity.requiresModule == .pj && !ownsPJ {
                throw TielineError(.moduleNotOwned,
                    "\(entity.name) cannot sync: the company does not own the Project Management (PJ) module")
            }
            guard mappings.isEnabled(entity) else {
                throw TielineError(.entityNotMapped,
                    "\(entity.name) is not mapped on connection \(connection); tick it first with: tieline mappings enable --connection \(connection) \"\(entity.name)\"")
            }
            if !chosen.contains(entity) { chosen.append(entity) }
        }
        return EntityCatalog.all.filter { chosen.contains($0) }
    }
}
