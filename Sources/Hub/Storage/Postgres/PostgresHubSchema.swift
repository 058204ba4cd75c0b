import Logging
import PostgresNIO

/// The hub's PostgreSQL schema: the tables of `HubSchema` as numbered migrations, recorded in `hub_schema_migrations`.
///
/// Text that is sorted or range-scanned is `COLLATE "C"`, so PostgreSQL orders it byte by byte as SQLite does:
/// mirror key prefixes (`key >= 'A\u{1F}' AND key < 'A\u{20}'`) only work in byte order, never in a language's collation.
enum PostgresHubSchema {
    struct Migration {
        let version: Int
        let name: String
        /// One statement each: the extended query protocol runs one command at a time.
        let statements: [String]
    }

    static let migrations: [Migration] = [
        Migration(version: 1, name: "sites, runs, mirror", statements: [
            """
            CREATE TABLE site (
                id BIGSERIAL PRIMARY KEY,
                name TEXT COLLATE "C" NOT NULL UNIQUE,
                created_at TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE site_token (
                token_hash TEXT PRIMARY KEY,
                site_id BIGINT NOT NULL REFERENCES site(id),
                created_at TEXT NOT NULL,
                revoked_at TEXT
            )
            """,
            "CREATE INDEX site_token_site ON site_token (site_id)",
            """
            CREATE TABLE sync_run (
                site_id BIGINT NOT NULL REFERENCES site(id),
                run_id TEXT COLLATE "C" NOT NULL,
                connection TEXT NOT NULL,
                type TEXT NOT NULL,
                timeframe TEXT NOT NULL,
                start_date TEXT COLLATE "C",
                entities TEXT NOT NULL,
                status TEXT NOT NULL,
                error TEXT,
                started_at TEXT COLLATE "C" NOT NULL,
                finished_at TEXT,
                PRIMARY KEY (site_id, run_id)
            )
            """,
            """
            CREATE TABLE sync_run_entity (
                site_id BIGINT NOT NULL,
                run_id TEXT COLLATE "C" NOT NULL,
                entity TEXT COLLATE "C" NOT NULL,
                date_column TEXT,
                batches BIGINT NOT NULL DEFAULT 0,
                rows_upserted BIGINT NOT NULL DEFAULT 0,
                rows_deleted BIGINT NOT NULL DEFAULT 0,
                rows_removed BIGINT NOT NULL DEFAULT 0,
                reported_rows BIGINT,
                through_version BIGINT,
                completed_at TEXT,
                PRIMARY KEY (site_id, run_id, entity)
            )
            """,
            """
            CREATE TABLE sync_batch (
                site_id BIGINT NOT NULL,
                run_id TEXT COLLATE "C" NOT NULL,
                entity TEXT COLLATE "C" NOT NULL,
                sequence BIGINT NOT NULL,
                applied BIGINT NOT NULL,
                through_version BIGINT NOT NULL,
                received_at TEXT NOT NULL,
                PRIMARY KEY (site_id, run_id, entity, sequence)
            )
            """,
            """
            CREATE TABLE column_set (
                id BIGSERIAL PRIMARY KEY,
                site_id BIGINT NOT NULL,
                entity TEXT COLLATE "C" NOT NULL,
                columns TEXT COLLATE "C" NOT NULL,
                UNIQUE (site_id, entity, columns)
            )
            """,
            """
            CREATE TABLE mirror_row (
                site_id BIGINT NOT NULL,
                entity TEXT COLLATE "C" NOT NULL,
                key TEXT COLLATE "C" NOT NULL,
                column_set BIGINT NOT NULL,
                row BYTEA NOT NULL,
                date TEXT COLLATE "C",
                last_run TEXT COLLATE "C",
                updated_at TEXT NOT NULL,
                PRIMARY KEY (site_id, entity, key)
            )
            """,
        ]),
        Migration(version: 2, name: "exports, Procore links, cost-code index", statements: [
            """
            CREATE TABLE mirror_cost_code (
                site_id BIGINT NOT NULL,
                job TEXT COLLATE "C" NOT NULL,
                cost_code TEXT COLLATE "C" NOT NULL,
                category TEXT COLLATE "C" NOT NULL,
                PRIMARY KEY (site_id, job, cost_code, category)
            )
            """,
            """
            CREATE TABLE procore_link (
                site_id BIGINT PRIMARY KEY REFERENCES site(id),
                data TEXT NOT NULL,
                webhook_token_hash TEXT UNIQUE,
                updated_at TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE hub_export (
                id BIGSERIAL PRIMARY KEY,
                site_id BIGINT NOT NULL REFERENCES site(id),
                pcco_id BIGINT NOT NULL,
                status TEXT NOT NULL,
                claimed_until DOUBLE PRECISION,
                write_back_due DOUBLE PRECISION,
                updated_at DOUBLE PRECISION NOT NULL,
                data TEXT NOT NULL,
                UNIQUE (site_id, pcco_id)
            )
            """,
            "CREATE INDEX hub_export_status ON hub_export (site_id, status, id)",
            "CREATE INDEX hub_export_write_back ON hub_export (write_back_due) WHERE write_back_due IS NOT NULL",
            """
            CREATE TABLE export_event (
                id BIGSERIAL PRIMARY KEY,
                export_id BIGINT NOT NULL REFERENCES hub_export(id),
                at DOUBLE PRECISION NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                detail TEXT
            )
            """,
            "CREATE INDEX export_event_export ON export_event (export_id, id)",
        ]),
        Migration(version: 3, name: "console users and sessions", statements: [
            """
            CREATE TABLE console_user (
                id BIGSERIAL PRIMARY KEY,
                site_id BIGINT NOT NULL REFERENCES site(id),
                name TEXT COLLATE "C" NOT NULL,
                role TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                created_at TEXT NOT NULL,
                UNIQUE (site_id, name)
            )
            """,
            """
            CREATE TABLE console_session (
                id_hash TEXT PRIMARY KEY,
                user_id BIGINT NOT NULL REFERENCES console_user(id),
                csrf TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                expires_at DOUBLE PRECISION NOT NULL
            )
            """,
            "CREATE INDEX console_session_user ON console_session (user_id)",
        ]),
        Migration(version: 4, name: "Procore staging history", statements: PostgresHubStorage.stagingHistoryStatements),
        // Mirror rows were the bulk of a hub: updated_at (never read) goes, and last_run holds the run's serial, not its
        // 36-character id (older rows keep theirs, which no serial equals, so a Deep still removes them when unsent).
        Migration(version: 5, name: "lean mirror rows", statements: [
            "ALTER TABLE mirror_row DROP COLUMN updated_at",
            "ALTER TABLE sync_run ADD COLUMN serial BIGSERIAL",
        ]),
        // The mirror's primary key had a variable-width entity name before `key`, so every B-tree comparison deformed
        // the index tuple to find `key` and compared two texts; with a fixed-width entity id PostgreSQL caches that
        // offset and compares an integer. 1,000,000 inserts took 10–27 % less time in psql. The table is rebuilt
        // rather than altered so fresh and upgraded hubs have one layout (the 8-byte columns first, so no padding).
        // No foreign key on entity_id: it would be a lookup per stored row, and ids come only from `mirror_entity`
        // and are never deleted.
        Migration(version: 6, name: "entity ids in the mirror's key", statements: [
            "CREATE TABLE mirror_entity (id SERIAL PRIMARY KEY, name TEXT COLLATE \"C\" NOT NULL UNIQUE)",
            "INSERT INTO mirror_entity (name) SELECT DISTINCT entity FROM mirror_row ORDER BY entity",
            """
            CREATE TABLE mirror_row_v6 (
                site_id BIGINT NOT NULL,
                column_set BIGINT NOT NULL,
                entity_id INTEGER NOT NULL,
                key TEXT COLLATE "C" NOT NULL,
                row BYTEA NOT NULL,
                date TEXT COLLATE "C",
                last_run TEXT COLLATE "C"
            )
            """,
            """
            INSERT INTO mirror_row_v6 (site_id, column_set, entity_id, key, row, date, last_run)
            SELECT m.site_id, m.column_set, e.id, m.key, m.row, m.date, m.last_run
            FROM mirror_row m JOIN mirror_entity e ON e.name = m.entity
            """,
            "DROP TABLE mirror_row",
            "ALTER TABLE mirror_row_v6 RENAME TO mirror_row",
            "ALTER TABLE mirror_row ADD CONSTRAINT mirror_row_pkey PRIMARY KEY (site_id, entity_id, key)",
        ]),
        // Whether a Deep run's entity had rows from before the run when its first batch came: a first Deep then skips
        // the completion's search for unsent rows (a read of every row it stored). NULL, as in runs begun before this
        // migration, means unknown: the search runs.
        Migration(version: 7, name: "older rows of a Deep's entity", statements: [
            "ALTER TABLE sync_run_entity ADD COLUMN older_rows BOOLEAN",
        ]),
    ]

    /// Any constant of ours: several hub processes starting at once migrate one after another.
    static let migrationLock: Int64 = 0x7469_656C_696E_6501

    /// Applies the migrations this database lacks (up to `version`, or all), in one transaction under an advisory lock.
    static func migrate(_ connection: PostgresConnection, upTo version: Int = .max, logger: Logger) async throws {
        try await connection.query("BEGIN", logger: logger)
        do {
            try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS hub_schema_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """, logger: logger)
            var applied = Set<Int>()
            for try await version in try await connection.query("SELECT version FROM hub_schema_migrations", logger: logger).decode(Int.self) {
                applied.insert(version)
            }
            for migration in migrations where !applied.contains(migration.version) && migration.version <= version {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO hub_schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                                           logger: logger)
                logger.info("hub database migrated", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            }
            try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }
}
