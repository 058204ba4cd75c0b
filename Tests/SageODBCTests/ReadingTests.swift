import Testing
@testable import SageODBC

@Suite("Reading through unixODBC and the SQLite3 ODBC driver")
struct ReadingTests {
    @Test func readsIntegersTextAndNull() throws {
        let db = try TestDatabase()
        try db.createTransactions()
        let rows = try db.rows("""
            SELECT "Row_ID", "Job", "Description", "Row_Version" FROM "JCT_CURRENT__TRANSACTION" ORDER BY "Row_ID"
            """)
        #expect(rows == [
            [.integer(1), .text("24-101"), .text("Concrete"), .integer(9_000_000_000)],
            [.integer(2), .text("24-102"), .null, .integer(7)],
        ])
    }

    /// What Debian's SQLite ODBC driver (sqliteodbc) describes, from the declared type or, for an
    /// expression, from the value: DECIMAL is VARCHAR to it, NUMERIC and REAL are DOUBLE, TEXT is LONGVARCHAR.
    @Test func typesFollowTheDriversDescription() throws {
        let db = try TestDatabase()
        try db.createTransactions()
        let table = try db.connection.describe("SELECT * FROM \"JCT_CURRENT__TRANSACTION\"")
        #expect(table.map(\.name) == ["Row_ID", "Job", "Description", "Amount", "Units", "Row_Version", "Rate"])
        #expect(table.map(\.type) == [SQL.integer, SQL.varchar, -1 /* LONGVARCHAR */, SQL.varchar, 8 /* DOUBLE */, SQL.bigInt, 8])
        let expressions = try db.connection.describe("SELECT count(*), 1 + 1, 'a' || 'b', NULL FROM \"JCT_CURRENT__TRANSACTION\"")
        #expect(expressions.map(\.type) == [SQL.integer, SQL.integer, SQL.varchar, SQL.varchar])

        // Decimals, doubles and text stay text exactly as the driver formats them; integer types are integers.
        let first = try #require(try db.rows("SELECT * FROM \"JCT_CURRENT__TRANSACTION\" WHERE \"Row_ID\" = 1").first)
        #expect(first == [1, "24-101", "Concrete", "1250.5", "3", 9_000_000_000, "0.5"])
        #expect(try db.rows("SELECT count(*), 1 + 1, 'a' || 'b', NULL FROM \"JCT_CURRENT__TRANSACTION\"")
                == [[2, 2, "ab", .null]])
        #expect(ODBCValue.text(" 42 ").integerValue == 42)
        #expect(ODBCValue.integer(-3).textValue == "-3")
    }

    @Test func decimalsWithoutScaleAreIntegersOtherTypesAreText() {
        #expect(ODBCStatement.typed("12", type: SQL.decimal, scale: 0) == .integer(12))
        #expect(ODBCStatement.typed("12.50", type: SQL.decimal, scale: 2) == .text("12.50"))
        #expect(ODBCStatement.typed("12", type: SQL.numeric, scale: 2) == .text("12"))
        #expect(ODBCStatement.typed("1", type: SQL.bit, scale: 0) == .integer(1))
        #expect(ODBCStatement.typed("x1", type: SQL.integer, scale: 0) == .text("x1"))  // SQLite keeps any value
    }

    @Test func readsLongTextInSeveralCalls() throws {
        let db = try TestDatabase()
        try db.connection.execute("CREATE TABLE notes (id INTEGER, body TEXT)")
        // ASCII longer than the 8 KiB first buffer, and multi-byte text whose characters straddle buffer ends.
        let ascii = String((0..<12_345).map { Character(Unicode.Scalar(UInt8(65 + $0 % 26))) })
        let wide = "a" + String(repeating: "ü€𝄞", count: 3_000)
        try db.connection.execute("INSERT INTO notes VALUES (1, '\(ascii)'), (2, '\(wide)')")
        #expect(try db.rows("SELECT body FROM notes ORDER BY id") == [[.text(ascii)], [.text(wide)]])
        #expect(try db.connection.scalar("SELECT length(body) FROM notes WHERE id = 2") == .integer(9_001))
        // Longer than the 4 MiB buffer cap, read in several full-buffer calls.
        let huge = try #require(try db.connection.scalar("SELECT printf('%.*c', 5000000, 'x')")?.textValue)
        #expect(huge.utf8.count == 5_000_000 && huge.utf8.allSatisfy { $0 == UInt8(ascii: "x") })
    }

    @Test func readsUTF8() throws {
        let db = try TestDatabase()
        try db.connection.execute("CREATE TABLE t (name TEXT)")
        try db.connection.execute("INSERT INTO t VALUES ('Übergröße – 5 m²')")
        #expect(try db.connection.scalar("SELECT name FROM t") == .text("Übergröße – 5 m²"))
        // Stored as UTF-8 bytes (so the literal went in intact, not only came back as it went).
        let hex = try db.connection.scalar("SELECT hex(name) FROM t")?.textValue
        #expect(hex == "Übergröße – 5 m²".utf8.map { String($0, radix: 16, uppercase: true).leftPadded }.joined())
    }

    @Test func bytesThatAreNotUTF8AreReadAsWindows1252() throws {
        let db = try TestDatabase()
        // Sage's ANSI driver sends Windows-1252: ü = FC, € = 80, ² = B2.
        #expect(try db.connection.scalar("SELECT CAST(X'FC6265722080B2' AS TEXT)") == .text("über €²"))
        #expect(ODBCText.decode([0x93, 0x4F, 0x4B, 0x94, 0x81]) == "\u{201C}OK\u{201D}\u{81}")
    }

    @Test func bindsParameters() throws {
        let db = try TestDatabase()
        try db.createTransactions()
        let long = String(repeating: "Übergröße – 5 m² ", count: 1_000)
        let changed = try db.connection.execute(
            "INSERT INTO \"JCT_CURRENT__TRANSACTION\" (\"Row_ID\", \"Job\", \"Description\", \"Row_Version\") VALUES (?, ?, ?, ?)",
            parameters: [3, "24-103", .text(long), .integer(Int64.min)])
        #expect(changed == 1)
        try db.connection.execute("INSERT INTO \"JCT_CURRENT__TRANSACTION\" (\"Row_ID\", \"Job\", \"Description\") VALUES (?, ?, ?)",
                                  parameters: [4, "", .null])
        #expect(try db.rows("SELECT \"Description\", \"Row_Version\" FROM \"JCT_CURRENT__TRANSACTION\" WHERE \"Job\" = ? AND \"Row_ID\" >= ?",
                            ["24-103", 2]) == [[.text(long), .integer(Int64.min)]])
        #expect(try db.rows("SELECT \"Row_ID\", \"Job\", \"Description\" FROM \"JCT_CURRENT__TRANSACTION\" WHERE \"Job\" = ?", [""])
                == [[4, "", .null]])
        // A quote in a parameter is data, not SQL.
        #expect(try db.rows("SELECT \"Row_ID\" FROM \"JCT_CURRENT__TRANSACTION\" WHERE \"Job\" = ?", ["x' OR '1'='1"]) == [])
    }

    @Test func streamsRowsAndStopsWhenTheCallerThrows() throws {
        struct Enough: Error {}
        let db = try TestDatabase()
        let sql = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) SELECT i, 'row ' || i FROM n"
        var count = 0, sum: Int64 = 0
        try db.connection.query(sql, columns: 2) { row in
            count += 1
            sum += row[0].integerValue ?? 0
        }
        #expect(count == 100_000 && sum == 5_000_050_000)
        var seen = 0
        #expect(throws: Enough.self) {
            try db.connection.query(sql) { _ in
                seen += 1
                if seen == 3 { throw Enough() }
            }
        }
        #expect(seen == 3)
        // The connection is still usable after an abandoned cursor.
        #expect(try db.connection.scalar("SELECT 7") == .integer(7))
        #expect(try db.connection.scalar("SELECT 1 WHERE 0") == nil)
    }

    @Test func aColumnCountOtherThanExpectedFails() throws {
        let db = try TestDatabase()
        do {
            try db.connection.query("SELECT 1, 2", columns: 3) { _ in Issue.record("no row expected") }
            Issue.record("expected an error")
        } catch let error as ODBCError {
            #expect(error.code == .queryFailed)
            #expect(error.message.contains("expected 3 columns but the query returns 2"))
        }
    }

    @Test func checkTableAcceptsExistingColumns() throws {
        let db = try TestDatabase()
        try db.createTransactions()
        try db.connection.checkTable("JCT_CURRENT__TRANSACTION", columns: ["Row_ID", "Job", "Row_Version"])
        try db.connection.checkTable("JCT_CURRENT__TRANSACTION", columns: [])
    }

    @Test func quotesIdentifiersTheANSIWay() {
        #expect(ODBCConnection.quoted("JCT_CURRENT__TRANSACTION") == "\"JCT_CURRENT__TRANSACTION\"")
        #expect(ODBCConnection.quoted("a\"b") == "\"a\"\"b\"")
    }
}

extension String {
    /// Two hex digits.
    var leftPadded: String { count == 1 ? "0" + self : self }
}
