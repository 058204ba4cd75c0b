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
        return migrator
    }()
}
