import Testing
@testable import SageODBC

@Suite("ODBC failures name what is missing and the fix, never a password")
struct ErrorTests {
    /// The error `body` throws, or a recorded issue.
    func odbcError(_ body: () throws -> Void) -> ODBCError? {
        do {
            try body()
            Issue.record("expected an ODBCError")
        } catch let error as ODBCError {
            return error
        } catch {
            Issue.record("expected an ODBCError, got \(error)")
        }
        return nil
    }

    @Test func anUnknownDriverSaysHowToListDrivers() throws {
        _ = try TestDatabase()  // unixODBC and the SQLite3 driver are there, or this fails saying what to install
        let error = try #require(odbcError { _ = try ODBCConnection(connectionString: "Driver=NoSuchDriver;UID=sage;PWD=hunter2;") })
        #expect(error.code == .driverMissing)
        #expect(error.message.contains("no ODBC driver or DSN named NoSuchDriver"))
        #expect(error.message.contains("odbcinst -q -d"))
        #expect(!error.message.contains("hunter2"))
    }

    @Test func anUnknownDSNIsIM002() throws {
        _ = try TestDatabase()
        let error = try #require(odbcError { _ = try ODBCConnection(connectionString: "DSN=NoSuchCompany;PWD={p;w}") })
        #expect(error.code == .driverMissing)
        #expect(error.sqlState == "IM002")
        #expect(error.message.contains("NoSuchCompany") && error.message.contains("odbcinst -q -s"))
        #expect(!error.message.contains("p;w"))
    }

    @Test func aMissingDriverManagerNamesTheLibrariesAndTheFix() {
        let error = odbcError { _ = try ODBCDriverManager.load(from: ["libnosuch-odbc.so.9", "libnosuch-odbc.so"]) }
        #expect(error?.code == .driverManagerMissing)
        #expect(error?.message.contains("tried libnosuch-odbc.so.9, libnosuch-odbc.so") == true)
        #expect(error?.message.contains("apt-get install unixodbc") == true)
        #expect(ODBCDriverManager.candidates.first == "libodbc.so.2")
    }

    @Test func aFailedConnectionNamesTheTargetWithoutThePassword() throws {
        _ = try TestDatabase()
        let error = try #require(odbcError {
            _ = try ODBCConnection(connectionString: "Driver=SQLite3;Database=/nonexistent-dir/x.sqlite;Password=hunter2;")
        })
        #expect(error.code == .connectFailed)
        #expect(error.message.contains("/nonexistent-dir/x.sqlite") && error.message.contains("Password=***"))
        #expect(!error.message.contains("hunter2"))
    }

    @Test func aMissingTableIsNamed() throws {
        let db = try TestDatabase()
        try db.createTransactions()
        let error = try #require(odbcError { try db.connection.query("SELECT * FROM \"JCT_NO_SUCH\"") { _ in } })
        #expect(error.code == .tableMissing)
        #expect(error.message.contains("table JCT_NO_SUCH does not exist"))
        let checked = try #require(odbcError { try db.connection.checkTable("JCT_NO_SUCH", columns: ["Row_Version"]) })
        #expect(checked.code == .tableMissing)
        #expect(checked.message.hasPrefix("table JCT_NO_SUCH is not in Driver=SQLite3;"))
        #expect(checked.message.contains("right company"))
    }

    @Test func aMissingColumnIsNamed() throws {
        let db = try TestDatabase()
        try db.createTransactions()
        // Unquoted: SQLite reads an unknown bare "Row_Versio" as the string 'Row_Versio' (its DQS quirk).
        #expect(try db.connection.scalar("SELECT \"Row_Versio\" FROM \"JCT_CURRENT__TRANSACTION\"") == .text("Row_Versio"))
        let error = try #require(odbcError { try db.connection.query("SELECT Row_Versio FROM \"JCT_CURRENT__TRANSACTION\"") { _ in } })
        #expect(error.code == .columnMissing)
        #expect(error.message.contains("column Row_Versio does not exist"))
        // checkTable names exactly the missing ones, even where SQLite would read a bare "name" as a string.
        let checked = try #require(odbcError {
            try db.connection.checkTable("JCT_CURRENT__TRANSACTION", columns: ["Job", "Cost_Code", "Row_Version", "Category"])
        })
        #expect(checked.code == .columnMissing)
        #expect(checked.message.hasPrefix("table JCT_CURRENT__TRANSACTION has no columns Cost_Code, Category"))
        #expect(!checked.message.contains("Row_Version,") && !checked.message.contains("Job,"))
        let one = try #require(odbcError { try db.connection.checkTable("JCT_CURRENT__TRANSACTION", columns: ["Job", "Cost_Code"]) })
        #expect(one.message.hasPrefix("table JCT_CURRENT__TRANSACTION has no column Cost_Code ("))
    }

    @Test func otherFailuresAreQueryFailedWithTheStatement() throws {
        let db = try TestDatabase()
        let error = try #require(odbcError { try db.connection.execute("SELEC 1") })
        #expect(error.code == .queryFailed)
        #expect(error.message.contains("syntax error") && error.message.hasSuffix("in: SELEC 1"))
        db.connection.close()
        let closed = try #require(odbcError { try db.connection.execute("SELECT 1") })
        #expect(closed.code == .queryFailed && closed.message.contains("is closed"))
    }

    @Test func aPasswordNeverAppearsInAnyMessage() throws {
        let db = try TestDatabase(extra: "PWD=hunter2;")  // the SQLite driver ignores PWD
        #expect(!db.connection.description.contains("hunter2"))
        #expect(db.connection.redactedConnectionString.hasSuffix("PWD=***;"))
        try db.createTransactions()
        // Even a statement that spells the password out is scrubbed in the error.
        for sql in ["SELECT hunter2 FROM \"JCT_CURRENT__TRANSACTION\"", "SELECT * FROM hunter2", "SELECT 'hunter2' FROM"] {
            let error = try #require(odbcError { try db.connection.query(sql) { _ in } })
            #expect(!error.message.contains("hunter2") && !error.description.contains("hunter2"))
        }
        let checked = try #require(odbcError { try db.connection.checkTable("hunter2", columns: ["x"]) })
        #expect(!checked.message.contains("hunter2"))
    }

    @Test func redactsPasswordsInConnectionStrings() {
        #expect(ODBCError.redacted("DSN=Sage;UID=sage;PWD=s3cret;Database=x") == "DSN=Sage;UID=sage;PWD=***;Database=x")
        #expect(ODBCError.redacted("Driver={Timberline Data};pwd={se;cr}}et};DBQ=C:\\Data") == "Driver={Timberline Data};pwd=***;DBQ=C:\\Data")
        #expect(ODBCError.redacted("Server=h; Password = abc ;SSLPassword=k") == "Server=h;Password=***;SSLPassword=***")
        #expect(ODBCError.redacted("Driver=SQLite3;Database=/tmp/a.sqlite;") == "Driver=SQLite3;Database=/tmp/a.sqlite;")
        #expect(ConnectionString.value(of: "driver", in: "DRIVER={SQLite3};x=1") == "SQLite3")
        #expect(ODBCError.scrubbed("login as sage/s3cret failed", secrets: ["s3cret"]) == "login as sage/*** failed")
    }

    @Test func aShortPasswordIsScrubbedWhereItStandsAloneWithoutBlankingWords() {
        // A two-letter password replaced everywhere turned every "table" of a message into "t***le".
        #expect(ODBCError.scrubbed("no such table: JCT_ab; user sage password ab rejected (ab)", secrets: ["ab"])
                == "no such table: JCT_***; user sage password *** rejected (***)")
        #expect(ODBCError.scrubbed("ab", secrets: ["ab"]) == "***")
        #expect(ODBCError.scrubbed("abab ab.", secrets: ["ab"]) == "abab ***.")
        #expect(ODBCError.scrubbed("tables of sage: pw=s3cr3t", secrets: ["s3cr3t", "es"]) == "tables of sage: pw=***")
        // From six characters on a secret is scrubbed wherever it appears, even inside a word.
        #expect(ODBCError.scrubbed("xhunter2x", secrets: ["hunter2"]) == "x***x")
    }
}
