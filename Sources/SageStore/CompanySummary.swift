import GRDB
import SageModel
import TielineCore

/// Row counts per Sage table, with the company's name and modules.
public struct CompanySummary: Sendable, Hashable, Codable {
    public struct TableCount: Sendable, Hashable, Codable {
        public let table: String
        public let rows: Int
    }

    public let name: String
    public let modules: [String]
    public let tables: [TableCount]
    /// Posted JC transactions by accounting year, to show what a timeframe would cut.
    public let transactionsByYear: [String: Int]
    public let rowVersion: Int64
}

extension SageCompany {
    /// Counts every Sage table's rows.
    public func summary() throws(TielineError) -> CompanySummary {
        let info = try info()
        return try read { db in
            let tables = try SageSchema.tables.map { table in
                CompanySummary.TableCount(table: table.name, rows: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.name)") ?? 0)
            }
            var years: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT substr(Accounting_Date, 1, 4) AS year, COUNT(*) AS n FROM JCT_CURRENT__TRANSACTION GROUP BY year") {
                years[row["year"]] = row["n"]
            }
            let version = try Int64.fetchOne(db, sql: "SELECT Last_Version FROM TIELINE_ROW_VERSION") ?? 0
            return CompanySummary(name: info.name, modules: info.modules.map(\.rawValue).sorted(), tables: tables,
                                  transactionsByYear: years, rowVersion: version)
        }
    }

    /// Rows of `table` matching an optional SQL condition (an entity's filter).
    public func count(table: SageTable, filter: String? = nil) throws(TielineError) -> Int {
        try read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.name)" + (filter.map { " WHERE \($0)" } ?? "")) ?? 0
        }
    }
}
