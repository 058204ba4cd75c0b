import Foundation
import SageODBC

/// A fresh SQLite file opened through the system's unixODBC and Debian's SQLite3 ODBC driver.
///
/// The tests need a real driver: when unixODBC or the SQLite3 driver is missing they fail (never skip),
/// saying what to install. scripts/test installs both.
final class TestDatabase {
    let path: String
    let connection: ODBCConnection

    static let installHint = "SageODBC's tests run against a real ODBC driver: install unixodbc libsqliteodbc odbcinst "
        + "(apt-get install -y unixodbc libsqliteodbc odbcinst; scripts/test does this as root)"

    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    /// Opens `Driver=SQLite3;Database=<new temp file>` plus `extra` (e.g. `PWD=...;`).
    init(extra: String = "") throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("sageodbc-\(UUID().uuidString).sqlite").path
        connection = try Self.open("Driver=SQLite3;Database=\(path);\(extra)")
    }

    /// Opens `connectionString`; a missing driver manager or driver fails with what to install.
    static func open(_ connectionString: String) throws -> ODBCConnection {
        let result = Result { () throws(ODBCError) in try ODBCConnection(connectionString: connectionString) }
        switch result {
        case .success(let connection):
            return connection
        case .failure(let error) where error.code == .driverManagerMissing || error.code == .driverMissing:
            throw SetupError(description: "\(installHint). \(error.message)")
        case .failure(let error):
            throw error
        }
    }

    deinit {
        connection.close()
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Every row of `sql`.
    func rows(_ sql: String, _ parameters: [ODBCValue] = []) throws -> [[ODBCValue]] {
        var rows: [[ODBCValue]] = []
        try connection.query(sql, parameters: parameters) { rows.append($0) }
        return rows
    }

    /// A Sage-shaped table: Sage's table and column names, SQLite's declared types.
    func createTransactions() throws {
        try connection.execute("""
            CREATE TABLE "JCT_CURRENT__TRANSACTION" (
              "Row_ID" INTEGER PRIMARY KEY, "Job" VARCHAR(10), "Description" TEXT, "Amount" DECIMAL(12,2),
              "Units" NUMERIC(10,0), "Row_Version" BIGINT, "Rate" REAL)
            """)
        try connection.execute("""
            INSERT INTO "JCT_CURRENT__TRANSACTION" VALUES
              (1, '24-101', 'Concrete', 1250.50, 3, 9000000000, 0.5),
              (2, '24-102', NULL, -12.05, NULL, 7, NULL)
            """)
    }
}
