import SageModel
/// DDL generated from `SageSchema`, so the schema is written once and the sync engine can
/// read any table generically.
enum SchemaSQL {
    static func quoted(_ name: String) -> String { "\"\(name)\"" }

    static func createTable(_ table: SageTable) -> String {
        var lines = table.columns.map { column -> String in
            var line = "\(quoted(column.name)) \(column.kind.sqlType)"
            let isKey = table.key.contains(column.name)
            if !column.optional || isKey {
                switch column.kind {
                case .money: line += " NOT NULL DEFAULT 0"
                default: line += " NOT NULL"
                }
            }
            // Backstop for writes that bypass the Swift records: Sage's field lengths and date form.
            switch column.kind {
            case .text(let length):
                line += " CONSTRAINT \(quoted("\(table.name).\(column.name) longer than \(length)")) CHECK(length(\(quoted(column.name))) <= \(length))"
            case .date:
                line += " CONSTRAINT \(quoted("\(table.name).\(column.name) not YYYY-MM-DD")) CHECK(\(quoted(column.name)) GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]')"
            default: break
            }
            return line
        }
        lines.append("\(quoted(SageSchema.rowVersion)) INTEGER NOT NULL DEFAULT 0")
        // Sage replicas give every record a GUID; a new row gets a random (version 4) one unless the writer brings its own.
        lines.append("\(quoted(SageSchema.rowID)) TEXT NOT NULL DEFAULT (\(newRowID)) CONSTRAINT \(quoted("\(table.name).Row_ID not a GUID")) CHECK(length(\(quoted(SageSchema.rowID))) = 36)")
        lines.append("UNIQUE(\(table.key.map(quoted).joined(separator: ", ")))")
        return "CREATE TABLE \(quoted(table.name)) (\n  \(lines.joined(separator: ",\n  "))\n)"
    }

    /// A random version-4 GUID in lower case, as SQL (Procore's ERP examples carry such origin ids).
    static let newRowID = "lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))"

    /// The change marker: every insert and update takes the next version from one company-wide
    /// sequence; deletes (and key changes) leave a tombstone carrying the old key.
    ///
    /// SQLite has one writer at a time and the version is taken inside the writing transaction,
    /// so versions become visible in order: a reader never sees version n+1 before n.
    static func changeMarkerTriggers(_ table: SageTable) -> [String] {
        let t = quoted(table.name)
        let keyOld = "json_array(\(table.key.map { "OLD.\(quoted($0))" }.joined(separator: ", ")))"
        let keyChanged = table.key.map { "OLD.\(quoted($0)) IS NOT NEW.\(quoted($0))" }.joined(separator: " OR ")
        let dataColumns = table.columns.map { quoted($0.name) }.joined(separator: ", ")
        let bump = "UPDATE TIELINE_ROW_VERSION SET Last_Version = Last_Version + 1;"
        let stamp = "UPDATE \(t) SET \(quoted(SageSchema.rowVersion)) = (SELECT Last_Version FROM TIELINE_ROW_VERSION) WHERE rowid = NEW.rowid;"
        return [
            // Bulk loaders reserve a block of versions and stamp rows themselves (see
            // `reserveRowVersions`); every other insert arrives with 0 and is stamped here.
            "CREATE TRIGGER \(quoted("\(table.name)_version_insert")) AFTER INSERT ON \(t) WHEN NEW.\(quoted(SageSchema.rowVersion)) = 0 BEGIN \(bump) \(stamp) END",
            // `UPDATE OF` the data columns only, so the insert trigger's own stamp does not fire it.
            """
            CREATE TRIGGER \(quoted("\(table.name)_version_update")) AFTER UPDATE OF \(dataColumns) ON \(t) BEGIN \(bump)
              INSERT INTO TIELINE_TOMBSTONE(Table_Name, Key_Values, Row_Version)
                SELECT '\(table.name)', \(keyOld), Last_Version FROM TIELINE_ROW_VERSION WHERE \(keyChanged);
              \(stamp) END
            """,
            """
            CREATE TRIGGER \(quoted("\(table.name)_version_delete")) AFTER DELETE ON \(t) BEGIN \(bump)
              INSERT INTO TIELINE_TOMBSTONE(Table_Name, Key_Values, Row_Version)
                SELECT '\(table.name)', \(keyOld), Last_Version FROM TIELINE_ROW_VERSION; END
            """,
            "CREATE INDEX \(quoted("\(table.name)_by_version")) ON \(t)(\(quoted(SageSchema.rowVersion)))",
        ]
    }

    /// Sage's rules as triggers, so even raw SQL cannot break them. The Swift records check the
    /// same rules first to give a specific message.
    static let ruleTriggers: [String] = {
        let posted = quoted(SageSchema.transaction.name)
        let postedColumns = SageSchema.transaction.columns.map { quoted($0.name) }.joined(separator: ", ")
        // The one status that takes change orders, from SageModel (a plain word: no quote to escape).
        let approved = SageRules.contractStatusTakingChangeOrders
        return [
            """
            CREATE TRIGGER cn_change_order_needs_approved_contract BEFORE INSERT ON CNC_ACTIVE__CHANGE_ORDER
            WHEN (SELECT Status FROM CNC_ACTIVE__CONTRACT WHERE Contract = NEW.Contract) IS NOT '\(approved)'
            BEGIN SELECT RAISE(ABORT, 'contract_not_approved: a contract must be \(approved) before it takes change orders'); END
            """,
            """
            CREATE TRIGGER jct_posted_no_update BEFORE UPDATE OF \(postedColumns) ON \(posted)
            BEGIN SELECT RAISE(ABORT, 'posted_transaction_immutable: posted JC transactions cannot change; enter a reversing transaction'); END
            """,
            """
            CREATE TRIGGER jct_posted_no_delete BEFORE DELETE ON \(posted)
            BEGIN SELECT RAISE(ABORT, 'posted_transaction_immutable: posted JC transactions cannot be deleted; enter a reversing transaction'); END
            """,
        ]
    }()
}
