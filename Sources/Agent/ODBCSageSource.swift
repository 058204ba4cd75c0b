import Foundation
import SageModel
import SageODBC
import SyncCore
import TielineCore

/// How a Local Connection reaches a company through ODBC. The password is never saved in clear:
/// it comes from an environment variable at each connect, or is sealed with the agent's key
/// (`agent-secret.key` in the home, mode 0600).
public struct ODBCSettings: Sendable, Hashable, Codable {
    /// The connection string without a password, e.g. `DSN=Sage 300 CRE;UID=tieline;StandardMode=1`.
    public var connectionString: String
    /// The environment variable holding the password (`PWD=`), if the DSN needs one.
    public var passwordVariable: String?
    /// The password given on stdin, sealed (AES-GCM) with the agent's key.
    public var sealedPassword: Data?

    public init(connectionString: String, passwordVariable: String? = nil, sealedPassword: Data? = nil) {
        self.connectionString = connectionString
        self.passwordVariable = passwordVariable
        self.sealedPassword = sealedPassword
    }

    /// The key file that seals ODBC passwords in `home`.
    public static func keyFile(_ home: TielineHome) -> URL { home.path("agent-secret.key") }

    /// The agent's box for ODBC passwords.
    public static func box(_ home: TielineHome) throws(TielineError) -> SecretBox {
        try SecretBox.load(keyFile: keyFile(home), cannotOpen: "a stored ODBC password cannot be opened with \(keyFile(home).path); "
            + "remove the connection and add it again with --password -")
    }

    /// The string handed to the driver manager, with the password from the environment or the sealed copy.
    func resolved(home: TielineHome?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(TielineError) -> String {
        let password: String
        if let variable = passwordVariable {
            guard let value = environment[variable], !value.isEmpty else {
                throw TielineError(.odbcPasswordMissing, "the ODBC password is read from the environment variable \(variable), which is not set for this process; "
                    + "set it in the agent service's environment (never in agent.json)")
            }
            password = value
        } else if let sealedPassword {
            guard let home else { throw TielineError(.odbcPasswordMissing, "the ODBC password is sealed in the agent's home, which this caller did not give") }
            password = try Self.box(home).open(sealedPassword)
        } else {
            return connectionString
        }
        return ConnectionString.adding("PWD", password, to: connectionString)
    }

    /// The connection string for messages (a password typed into it by mistake is masked).
    public var redacted: String { ODBCError.redacted(connectionString) }
}

/// A Sage company read through the system's ODBC driver manager, with explicit column lists.
///
/// Read only: nothing here writes. Changes are found by `Row_Version` (every table of a Sage SQL
/// replica carries one); the source has no record of deletions, so a deleted row leaves the hub's
/// mirror at the next Deep sync (README, "Reading Sage through ODBC").
public final class ODBCSageSource: SageSource, @unchecked Sendable {
    public let location: String
    private let connection: ODBCConnection
    // ODBC handles are used by one thread at a time; reads and the read-ahead take turns here.
    private let lock = NSLock()

    public init(connection name: String, settings: ODBCSettings, home: TielineHome?) throws(TielineError) {
        location = "ODBC \(settings.redacted)"
        let resolved = try settings.resolved(home: home)
        do throws(ODBCError) {
            connection = try ODBCConnection(connectionString: resolved)
        } catch {
            throw TielineError(.odbc(error), "Local Connection '\(name)': \(error.message)")
        }
    }

    /// Runs `body` on the connection, alone; ODBC failures become coded errors naming the fix.
    func with<T>(_ body: (ODBCConnection) throws -> T) throws(TielineError) -> T {
        lock.lock()
        defer { lock.unlock() }
        do {
            return try body(connection)
        } catch let error as ODBCError {
            throw TielineError(.odbc(error), error.message)
        } catch let error as TielineError {
            throw error
        } catch {
            throw TielineError(.odbcProblem, "\(error)")
        }
    }

    /// A Sage company keeps no record of deleted rows: the sync engine scans keys to find them.
    public var recordsDeletions: Bool { false }

    /// Owns PJ when the PJ tables answer (probed with a WHERE 1=0 read: listing tables can hang the Timberline driver).
    public func ownsPJ() throws(TielineError) -> Bool {
        guard let table = EntityCatalog.all.first(where: { $0.requiresModule == .pj })?.table else { return false }
        return try with { odbc in
            do {
                try odbc.checkTable(table.name, columns: table.key)
                return true
            } catch let error as ODBCError where error.code == .tableMissing {
                return false
            }
        }
    }

    /// Proves the source is a Sage company: its job table answers with the columns Tieline reads.
    public func checkCompany() throws(TielineError) {
        let job = SageSchema.job
        try with { odbc in
            do {
                try odbc.checkTable(job.name, columns: job.key + [SageSchema.rowVersion])
            } catch let error as ODBCError where error.code == .tableMissing {
                throw TielineError(.odbcProblem, "\(location) answers but has no \(job.name): it is not a Sage 300 CRE company "
                    + "(with the Timberline driver, set StandardMode=1 so tables have their JCM_MASTER__JOB-style names)")
            }
        }
    }

    /// Rows per entity, or what is wrong with the entity's table or columns.
    func count(_ entity: SyncEntity, columns: [String]) -> Result<Int, TielineError> {
        Result { () throws(TielineError) in
            try with { odbc in
                try odbc.checkTable(entity.table.name, columns: columns)
                let condition = entity.filter.map { " WHERE \($0)" } ?? ""
                guard case .integer(let n)? = try odbc.scalar("SELECT COUNT(*) FROM \(ODBCConnection.quoted(entity.table.name))\(condition)") else { return 0 }
                return Int(n)
            }
        }
    }

    public func currentRowVersion() throws(TielineError) -> Int64 {
        let tables = Set(EntityCatalog.all.map(\.table.name)).sorted()
        return try with { odbc in
            var highest: Int64 = 0
            for table in tables {
                // A PJ table missing from a company without PJ holds no versions.
                guard (try? odbc.checkTable(table, columns: [SageSchema.rowVersion])) != nil else { continue }
                if case .integer(let version)? = try odbc.scalar("SELECT MAX(\(ODBCConnection.quoted(SageSchema.rowVersion))) FROM \(ODBCConnection.quoted(table))") {
                    highest = max(highest, version)
                }
            }
            return highest
        }
    }

    public func reader(for entity: SyncEntity, columns: [String], startDate: CalendarDate?) throws(TielineError) -> any SageEntityReader {
        let marker = try with { odbc -> ODBCEntityReader.Marker in
            try odbc.checkTable(entity.table.name, columns: columns)
            // Row_Version where the company has it (Sage's SQL replicas do); else the Date/Time stamps.
            if (try? odbc.checkTable(entity.table.name, columns: [SageSchema.rowVersion])) != nil { return .rowVersion }
            if (try? odbc.checkTable(entity.table.name, columns: ODBCEntityReader.stampColumns)) != nil { return .stamps }
            throw TielineError(.odbcProblem, "\(entity.table.name) has neither Row_Version nor Date_Stamp and Time_Stamp, so Tieline cannot tell "
                + "what changed in \(entity.name); untick it, or read the company through a SQL replica that carries Row_Version")
        }
        return try ODBCEntityReader(source: self, entity: entity, columns: columns, startDate: startDate, marker: marker)
    }
}

extension TielineError.Code {
    /// Reading Sage through ODBC failed: no driver manager, driver or DSN, a missing table or column.
    public static let odbcProblem = Self("odbc_problem")
    /// The ODBC password's environment variable is not set (or its sealed copy cannot be opened here).
    public static let odbcPasswordMissing = Self("odbc_password_missing")

    /// No ODBC driver manager could be loaded (SageODBC's own code).
    public static let odbcDriverManagerMissing = Self(ODBCError.Code.driverManagerMissing.rawValue)

    /// The driver's own failure, under SageODBC's code (`odbc_driver_manager_missing`, `odbc_table_missing`...).
    static func odbc(_ error: ODBCError) -> Self { Self(error.code.rawValue) }
}
