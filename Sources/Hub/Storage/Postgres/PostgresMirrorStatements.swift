import PostgresNIO

/// The upsert that stores a batch's rows once an entity has met a stored key (new keys go by `MirrorRowCopy`),
/// prepared once per connection.
///
/// Sent as an unnamed statement it was planned anew on every execution with the arrays as constants, and PostgreSQL
/// copied those (megabytes of rows) while planning: about a tenth of its CPU in a Deep. A prepared statement's
/// generic plan takes them as parameters.
enum MirrorRowStatements {
    /// A chunk's rows with what they share: `$1` site, `$2` entity id, `$3` keys, `$4` column set, `$5` rows, `$6` dates, `$7` run.
    struct Rows: Sendable {
        var site: Int64
        var entity: Int32
        var chunk: PostgresBatchRows.UpsertChunk
        var columnSet: Int64
        var run: String

        func bindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 7)
            bindings.append(site)
            bindings.append(entity)
            bindings.append(chunk.keys)
            bindings.append(columnSet)
            bindings.append(chunk.rows)
            bindings.append(chunk.dates)
            bindings.append(run)
            return bindings
        }
    }

    /// The arrays are unnested in the select list, where PostgreSQL walks them in step (they have one length) and hands
    /// each row straight on; `FROM unnest(a, b, c)` first copies every row into a tuplestore, which took about a sixth
    /// more server time for the same 1,000,000 rows.
    static let select = """
        SELECT $1::bigint, $2::integer, unnest($3::text[]), $4::bigint, unnest($5::bytea[]), unnest($6::text[]), $7::text
        """

    /// Any keys: a stored key's row is replaced.
    struct Upsert: PostgresPreparedStatement {
        static let name = "tieline_upsert_mirror_rows"
        static let sql = "INSERT INTO mirror_row (site_id, entity_id, key, column_set, row, date, last_run) " + select + """
             ON CONFLICT (site_id, entity_id, key) DO UPDATE SET column_set = excluded.column_set, row = excluded.row,
                date = excluded.date, last_run = excluded.last_run
            """
        var rows: Rows

        func makeBindings() throws -> PostgresBindings { rows.bindings() }
        func decodeRow(_ row: PostgresRow) throws {}
    }
}
