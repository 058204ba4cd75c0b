import GRDB
import SageStore
import SageModel
import SyncCore
import TielineCore

/// What `connections test` found: the company, its modules, and rows per entity.
public struct ConnectionReport: Sendable, Hashable, Codable {
    /// One entity's row count in the company, and whether it is ticked on this connection.
    public struct EntityCount: Sendable, Hashable, Codable {
        public let entity: String
        public let mapped: Bool
        /// Nil when the entity does not apply (a PJ entity without the PJ module).
        public let rows: Int?
        public let note: String?
    }

    public let connection: String
    public let sagePath: String
    public let company: String
    public let modules: [String]
    public let ownsPJ: Bool
    public let entities: [EntityCount]

    /// Opens the connection's company and counts each entity's rows.
    public static func test(_ connection: LocalConnection, home: TielineHome? = nil) throws(TielineError) -> ConnectionReport {
        if let odbc = connection.odbc { return try testODBC(connection, odbc, home: home) }
        let company = try connection.openCompany()
        let info = try company.info()
        let ownsPJ = info.modules.contains(.pj)
        let counts = try company.read { db in
            try EntityCatalog.all.map { entity -> EntityCount in
                let mapped = connection.mappings.isEnabled(entity)
                if entity.requiresModule == .pj && !ownsPJ {
                    return EntityCount(entity: entity.name, mapped: mapped, rows: nil,
                                       note: "the company does not own Project Management (PJ)")
                }
                let condition = entity.filter.map { " WHERE \($0)" } ?? ""
                let rows = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \"\(entity.table.name)\"\(condition)") ?? 0
                return EntityCount(entity: entity.name, mapped: mapped, rows: rows, note: nil)
            }
        }
        return ConnectionReport(connection: connection.name, sagePath: connection.sagePath, company: info.name,
                                modules: SageModule.allCases.filter(info.modules.contains).map(\.rawValue),
                                ownsPJ: ownsPJ, entities: counts)
    }

    /// Through ODBC: each entity's table and mapped columns probed one by one (never by listing
    /// tables), so a missing table or column is named with its entity.
    static func testODBC(_ connection: LocalConnection, _ settings: ODBCSettings, home: TielineHome?) throws(TielineError) -> ConnectionReport {
        let source = try ODBCSageSource(connection: connection.name, settings: settings, home: home)
        try source.checkCompany()
        let ownsPJ = try source.ownsPJ()
        let counts = EntityCatalog.all.map { entity -> EntityCount in
            let mapped = connection.mappings.isEnabled(entity)
            if entity.requiresModule == .pj && !ownsPJ {
                return EntityCount(entity: entity.name, mapped: mapped, rows: nil, note: "the company does not own Project Management (PJ)")
            }
            let columns = mapped ? connection.mappings.columns(for: entity) : entity.table.key
            switch source.count(entity, columns: columns) {
            case .success(let rows): return EntityCount(entity: entity.name, mapped: mapped, rows: rows, note: nil)
            case .failure(let error): return EntityCount(entity: entity.name, mapped: mapped, rows: nil, note: error.message)
            }
        }
        return ConnectionReport(connection: connection.name, sagePath: source.location, company: settings.redacted,
                                modules: ownsPJ ? ["PJ"] : [], ownsPJ: ownsPJ, entities: counts)
    }

    /// The report as a person reads it.
    public var lines: [String] {
        var out = ["\(connection): OK — Sage 300 CRE company '\(company)' at \(sagePath)",
                   "Modules: \(modules.joined(separator: ", "))" + (ownsPJ ? "" : " (no Project Management (PJ))")]
        let width = entities.map(\.entity.count).max() ?? 0
        out.append("Entities ([x] mapped):")
        for count in entities {
            let padded = count.entity.padding(toLength: width, withPad: " ", startingAt: 0)
            let rows = count.rows.map { "\($0) row\($0 == 1 ? "" : "s")" } ?? "— (\(count.note ?? "n/a"))"
            out.append("  [\(count.mapped ? "x" : " ")] \(padded)  \(rows)")
        }
        let mapped = entities.filter(\.mapped)
        out.append("Mapped: \(mapped.count) of \(entities.count) entities, \(mapped.compactMap(\.rows).reduce(0, +)) rows; all entities: \(entities.compactMap(\.rows).reduce(0, +)) rows")
        return out
    }
}
