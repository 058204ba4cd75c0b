import GRDB

/// The hub's SQLite schema, as GRDB migrations. Plain SQL that ports to PostgreSQL, except
/// `WITHOUT ROWID` (a SQLite storage hint: the mirror's key is its only index).
enum HubSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE site (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL UNIQUE,
                    created_at TEXT NOT NULL
                );
                CREATE TABLE site_token (
                    token_hash TEXT PRIMARY KEY,
                    site_id INTEGER NOT NULL REFERENCES site(id),
                    created_at TEXT NOT NULL,
                    revoked_at TEXT
                );
                CREATE TABLE sync_run (
                    site_id INTEGER NOT NULL REFERENCES site(id),
                    run_id TEXT NOT NULL,
                    connection TEXT NOT NULL,
                    type TEXT NOT NULL,
                    timeframe TEXT NOT NULL,
                    start_date TEXT,
                    entities TEXT NOT NULL,
                    status TEXT NOT NULL,
                    error TEXT,
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    PRIMARY KEY (site_id, run_id)
                );
                CREATE TABLE sync_run_entity (
                    site_id INTEGER NOT NULL,
                    run_id TEXT NOT NULL,
                    entity TEXT NOT NULL,
                    date_column TEXT,
                    batches INTEGER NOT NULL DEFAULT 0,
                    rows_upserted INTEGER NOT NULL DEFAULT 0,
                    rows_deleted INTEGER NOT NULL DEFAULT 0,
                    rows_removed INTEGER NOT NULL DEFAULT 0,
                    reported_rows INTEGER,
                    through_version INTEGER,
                    completed_at TEXT,
                    PRIMARY KEY (site_id, run_id, entity)
                );
                CREATE TABLE sync_batch (
                    site_id INTEGER NOT NULL,
                    run_id TEXT NOT NULL,
                    entity TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    applied INTEGER NOT NULL,
                    through_version INTEGER NOT NULL,
                    received_at TEXT NOT NULL,
                    PRIMARY KEY (site_id, run_id, entity, sequence)
                );
                CREATE TABLE column_set (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    site_id INTEGER NOT NULL,
                    entity TEXT NOT NULL,
                    columns TEXT NOT NULL,
                    UNIQUE (site_id, entity, columns)
                );
                CREATE TABLE mirror_row (
                    site_id INTEGER NOT NULL,
                    entity TEXT NOT NULL,
                    key TEXT NOT NULL,
                    column_set INTEGER NOT NULL,
                    row BLOB NOT NULL,
                    date TEXT,
                    last_run TEXT,
                    updated_at TEXT NOT NULL,
                    PRIMARY KEY (site_id, entity, key)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2-exports") { db in
            try db.execute(sql: """
                CREATE TABLE mirror_cost_code (
                    site_id INTEGER NOT NULL,
                    job TEXT NOT NULL,
                    cost_code TEXT NOT NULL,
                    category TEXT NOT NULL,
                    PRIMARY KEY (site_id, job, cost_code, category)
                ) WITHOUT ROWID;
                CREATE TABLE procore_link (
                    site_id INTEGER PRIMARY KEY REFERENCES site(id),
                    data TEXT NOT NULL,
                    webhook_token_hash TEXT UNIQUE,
                    updated_at TEXT NOT NULL
                );
                CREATE TABLE hub_export (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    site_id INTEGER NOT NULL REFERENCES site(id),
                    pcco_id INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    claimed_until REAL,
                    write_back_due REAL,
                    updated_at REAL NOT NULL,
                    data TEXT NOT NULL,
                    UNIQUE (site_id, pcco_id)
                );
                CREATE INDEX hub_export_status ON hub_export (site_id, status, id);
                CREATE INDEX hub_export_write_back ON hub_export (write_back_due) WHERE write_back_due IS NOT NULL;
                CREATE TABLE export_event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    export_id INTEGER NOT NULL REFERENCES hub_export(id),
                    at REAL NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    detail TEXT
                );
                CREATE INDEX export_event_export ON export_event (export_id, id);
                """)
        }
        migrator.registerMigration("v3-console-accounts") { db in
            // Hub console users (one site each) and their sessions; ids are stored only as SHA-256.
            try db.execute(sql: """
                CREATE TABLE console_user (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    site_id INTEGER NOT NULL REFERENCES site(id),
                    name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    UNIQUE (site_id, name)
                );
                CREATE TABLE console_session (
                    id_hash TEXT PRIMARY KEY,
                    user_id INTEGER NOT NULL REFERENCES console_user(id),
                    csrf TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    expires_at REAL NOT NULL
                );
                CREATE INDEX console_session_user ON console_session (user_id);
                """)
        }
        migrator.registerMigration("v4-procore-staging", migrate: SQLiteHubStorage.migrateStagingHistory)
        migrator.registerMigration("v5-lean-mirror-rows") { db in
            // Mirror rows were the bulk of a hub: updated_at (never read) goes, and last_run now holds the run's
            // rowid, not its id (older rows keep theirs, which no serial equals, so a Deep still removes them when unsent).
            try db.execute(sql: "ALTER TABLE mirror_row DROP COLUMN updated_at")
        }
        migrator.registerMigration("v6-older-rows") { db in
            // Whether a Deep run's entity had rows from before the run when its first batch came: a first Deep then
            // skips the completion's search for unsent rows. NULL (runs begun before this) means unknown: it searches.
            try db.execute(sql: "ALTER TABLE sync_run_entity ADD COLUMN older_rows INTEGER")
        }
        migrator.registerMigration("v7-entity-ids") { db in
            // The mirror's key had the entity's name before `key`, so every B-tree comparison of a Deep's inserts read
            // and compared it ("Transaction (JC)", 16 bytes) before reaching the key; an integer id is compared in
            // place. A Deep into a hub with 2-character names instead measured about a tenth less of the hub's CPU.
            // Rebuilt (the key of a WITHOUT ROWID table cannot be altered); ids are never deleted.
            try db.execute(sql: """
                CREATE TABLE mirror_entity (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
                INSERT INTO mirror_entity (name) SELECT DISTINCT entity FROM mirror_row ORDER BY entity;
                CREATE TABLE mirror_row_v7 (
                    site_id INTEGER NOT NULL,
                    entity_id INTEGER NOT NULL,
                    key TEXT NOT NULL,
                    column_set INTEGER NOT NULL,
                    row BLOB NOT NULL,
                    date TEXT,
                    last_run TEXT,
                    PRIMARY KEY (site_id, entity_id, key)
                ) WITHOUT ROWID;
                INSERT INTO mirror_row_v7 (site_id, entity_id, key, column_set, row, date, last_run)
                    SELECT m.site_id, e.id, m.key, m.column_set, m.row, m.date, m.last_run
                    FROM mirror_row m JOIN mirror_entity e ON e.name = m.entity;
                DROP TABLE mirror_row;
                ALTER TABLE mirror_row_v7 RENAME TO mirror_row;
                """)
        }
        return migrator
    }
}
