import GRDB
import SageModel

extension SageCompany {
    /// The company schema's migrations. Never edit a shipped migration; add a new one.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: Sage tables, change markers, rules") { db in
            try db.execute(sql: "CREATE TABLE TIELINE_COMPANY (Name TEXT NOT NULL, Modules TEXT NOT NULL)")
            try db.execute(sql: "CREATE TABLE TIELINE_ROW_VERSION (Last_Version INTEGER NOT NULL)")
            try db.execute(sql: "INSERT INTO TIELINE_ROW_VERSION VALUES (0)")
            try db.execute(sql: """
                CREATE TABLE TIELINE_TOMBSTONE (
                  Table_Name TEXT NOT NULL, Key_Values TEXT NOT NULL, Row_Version INTEGER NOT NULL)
                """)
            try db.execute(sql: "CREATE INDEX TIELINE_TOMBSTONE_by_version ON TIELINE_TOMBSTONE(Table_Name, Row_Version)")
            for table in SageSchema.tables {
                try db.execute(sql: SchemaSQL.createTable(table))
                for sql in SchemaSQL.changeMarkerTriggers(table) { try db.execute(sql: sql) }
            }
            for sql in SchemaSQL.ruleTriggers { try db.execute(sql: sql) }
        }
        migrator.registerMigration("v2: Sage's evidenced names and lengths, Row_ID on every record") { db in
            try SchemaRebuild.rebuild(db, renamed: SchemaRebuild.v2Renames, derived: SchemaRebuild.v2Derived)
        }
        // Application_of_Origin is 3 characters in Sage (evidenced); v2 had assumed 20. The rebuild also maps
        // the v1 transaction types a company file migrated by an earlier v2 may still hold (the map is idempotent).
        migrator.registerMigration("v3: Application_of_Origin 3, v1 commitment types renamed") { db in
            try SchemaRebuild.rebuild(db, renamed: [:])
        }
        return migrator
    }()
}

/// Rebuilds every Sage table to the current schema, keeping each row, its Row_Version and (where the old
/// table had one) its Row_ID; rows without one get a new GUID. SQLite cannot change a column's name,
/// length check or default in place, so each table is copied into a new one.
enum SchemaRebuild {
    /// v1 → v2 column renames, per table: new name → old name.
    static let v2Renames: [String: [String: String]] = [
        SageSchema.category.name: ["Approved_Estimate_Changes": "Approved_Est_Changes", "Pending_Estimate_Changes": "Pending_Est_Changes"],
        SageSchema.job.name: ["Estimated_Start_Date": "Start_Date"],
    ]

    /// v1 → v2 values that no longer fit a narrowed column: Equipment_Type became 5 characters, and the
    /// only longer values a v1 store holds are its own sample generator's. Any other value longer than
    /// Sage's length stops the migration with the column named (nothing is truncated).
    /// v1 `Transaction_Type` values are Sage's spellings now (`Commitment` → `Committed cost`, evidenced), in posted
    /// history and the unposted batch alike: the map is keyed by column, so every table holding it is mapped.
    static let v2Values: [String: [String: String]] = [
        "Equipment_Type": ["Excavator": "EXCAV", "Loader": "LOADR", "Crane": "CRANE", "Truck": "TRUCK", "Generator": "GEN", "Skid": "SKID"],
        "Transaction_Type": ["Commitment": TransactionType.commitment, "Commitment change": TransactionType.commitmentChange],
    ]

    /// v1 → v2 columns the old table lacks but its rows determine, per table: new column → SQL over the old row.
    /// A v1 job's approved contract changes are what posting added to its revised amount.
    static let v2Derived: [String: [String: String]] = [
        SageSchema.job.name: ["JTD_Aprvd_Contract_Chgs": "\"Revised_Contract_Amount\" - \"Original_Contract_Amount\""],
    ]

    static func rebuild(_ db: Database, renamed: [String: [String: String]], derived: [String: [String: String]] = [:],
                        values: [String: [String: String]] = v2Values) throws {
        // Triggers and version indexes are recreated for the new tables; none may fire while rows are copied.
        for trigger in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'") {
            try db.execute(sql: "DROP TRIGGER \(SchemaSQL.quoted(trigger))")
        }
        for table in SageSchema.tables {
            let old = "\(table.name)__previous"
            try db.execute(sql: "DROP INDEX IF EXISTS \(SchemaSQL.quoted("\(table.name)_by_version"))")
            try db.execute(sql: "ALTER TABLE \(SchemaSQL.quoted(table.name)) RENAME TO \(SchemaSQL.quoted(old))")
            try db.execute(sql: SchemaSQL.createTable(table))
            let existing = Set(try Row.fetchAll(db, sql: "PRAGMA table_info(\(SchemaSQL.quoted(old)))").map { $0["name"] as String })
            // (new column, SQL reading it from the old row)
            var pairs = table.columns.compactMap { column -> (String, String)? in
                let source = renamed[table.name]?[column.name] ?? column.name
                if existing.contains(source) { return (column.name, Self.source(column: column.name, from: source, values: values)) }
                return derived[table.name]?[column.name].map { (column.name, $0) }
            }
            pairs.append((SageSchema.rowVersion, SchemaSQL.quoted(SageSchema.rowVersion)))
            if existing.contains(SageSchema.rowID) { pairs.append((SageSchema.rowID, SchemaSQL.quoted(SageSchema.rowID))) }
            try db.execute(sql: """
                INSERT INTO \(SchemaSQL.quoted(table.name)) (\(pairs.map { SchemaSQL.quoted($0.0) }.joined(separator: ", ")))
                SELECT \(pairs.map(\.1).joined(separator: ", ")) FROM \(SchemaSQL.quoted(old))
                """)
            try db.execute(sql: "DROP TABLE \(SchemaSQL.quoted(old))")
            for sql in SchemaSQL.changeMarkerTriggers(table) { try db.execute(sql: sql) }
        }
        for sql in SchemaSQL.ruleTriggers { try db.execute(sql: sql) }
    }

    /// The old column as the new one reads it, mapping the values `values` names for it.
    static func source(column: String, from old: String, values: [String: [String: String]]) -> String {
        guard let map = values[column], !map.isEmpty else { return SchemaSQL.quoted(old) }
        let cases = map.sorted { $0.key < $1.key }.map { "WHEN '\($0.key)' THEN '\($0.value)'" }.joined(separator: " ")
        return "CASE \(SchemaSQL.quoted(old)) \(cases) ELSE \(SchemaSQL.quoted(old)) END"
    }
}
