import Foundation
import SageModel
import GRDB
import TielineCore

/// A Sage 300 CRE company: the ERP store the agent reads from and writes to.
///
/// Like GRDB's `AppDatabase`, it owns the migrator and hands out reads and writes. The
/// default store is a SQLite file with Sage's table and column names.
public final class SageCompany: Sendable {
    /// The database the company lives in.
    public let writer: any DatabaseWriter
    /// Where the company file lives.
    public let path: String

    init(writer: any DatabaseWriter, path: String) {
        self.writer = writer
        self.path = path
    }

    /// Creates a new, empty company at `path`; fails if a file is already there.
    public static func create(at path: String, name: String, modules: Set<SageModule> = SageModule.standard) throws(TielineError) -> SageCompany {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw TielineError(.sageCompanyExists, "\(path) already exists; choose another path or remove it first")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let company = try openPool(path)
        try company.guarded {
            try SageCompany.migrator.migrate(company.writer)
            try company.writer.write { db in
                try db.execute(sql: "INSERT INTO TIELINE_COMPANY(Name, Modules) VALUES (?, ?)",
                               arguments: [name, modules.map(\.rawValue).sorted().joined(separator: ",")])
            }
        }
        return company
    }

    /// Opens an existing company, upgrading its Tieline tables if needed.
    public static func open(at path: String) throws(TielineError) -> SageCompany {
        guard FileManager.default.fileExists(atPath: path) else {
            throw TielineError(.sageCompanyMissing, "no Sage company at \(path): the file does not exist")
        }
        let company = try openPool(path)
        try company.guarded {
            let isCompany = try company.writer.read { db in
                try db.tableExists("TIELINE_COMPANY") && db.tableExists(SageSchema.job.name)
            }
            guard isCompany else {
                throw TielineError(.notSageCompany, "\(path) is not a Sage 300 CRE company (it has no \(SageSchema.job.name) table)")
            }
            try SageCompany.migrator.migrate(company.writer)
        }
        return company
    }

    /// An in-memory company, for tests.
    public static func inMemory(name: String = "Test Company", modules: Set<SageModule> = SageModule.standard) throws(TielineError) -> SageCompany {
        let company: SageCompany
        do {
            company = SageCompany(writer: try DatabaseQueue(configuration: configuration()), path: ":memory:")
        } catch {
            throw TielineError(.sageStore, "cannot create an in-memory company: \(error)")
        }
        try company.guarded {
            try SageCompany.migrator.migrate(company.writer)
            try company.writer.write { db in
                try db.execute(sql: "INSERT INTO TIELINE_COMPANY(Name, Modules) VALUES (?, ?)",
                               arguments: [name, modules.map(\.rawValue).sorted().joined(separator: ",")])
            }
        }
        return company
    }

    private static func configuration() -> Configuration {
        var config = Configuration()
        // Another program (Sage itself, a backup) may hold the file briefly; wait rather than fail.
        config.busyMode = .timeout(5)
        return config
    }

    private static func openPool(_ path: String) throws(TielineError) -> SageCompany {
        do {
            return SageCompany(writer: try DatabasePool(path: path, configuration: configuration()), path: path)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw TielineError(.notSageCompany, "\(path) is not a Sage 300 CRE company (not a database file)")
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            throw TielineError(.sageLocked, "\(path) is locked by another program; close it and try again")
        } catch {
            throw TielineError(.sageStore, "cannot open \(path): \(error)")
        }
    }

    /// The company's name and the Sage modules it owns.
    public func info() throws(TielineError) -> CompanyInfo {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT Name, Modules FROM TIELINE_COMPANY") else {
                throw TielineError(.notSageCompany, "\(self.path) has no company record")
            }
            let modules = Set((row["Modules"] as String).split(separator: ",").compactMap { SageModule(rawValue: String($0)) })
            return CompanyInfo(name: row["Name"], modules: modules)
        }
    }

    /// Whether the company owns the Project Management (PJ) module.
    public func ownsPJ() throws(TielineError) -> Bool { try info().modules.contains(.pj) }

    /// The latest change marker handed out; every later change has a higher one.
    public func currentRowVersion() throws(TielineError) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT Last_Version FROM TIELINE_ROW_VERSION") ?? 0 }
    }

    /// Reserves `count` consecutive change markers for a bulk load and returns the first.
    ///
    /// Call inside the write transaction that inserts the rows, stamping each with its own
    /// version, so versions stay unique and in commit order.
    public static func reserveRowVersions(_ db: Database, count: Int) throws -> Int64 {
        let last = try Int64.fetchOne(db, sql: "SELECT Last_Version FROM TIELINE_ROW_VERSION") ?? 0
        try db.execute(sql: "UPDATE TIELINE_ROW_VERSION SET Last_Version = ?", arguments: [last + Int64(count)])
        return last + 1
    }

    /// Reads from the company, mapping database errors to Tieline errors.
    public func read<T>(_ block: (Database) throws -> T) throws(TielineError) -> T {
        try guarded { try writer.read(block) }
    }

    /// Writes in one transaction: all of `block` or nothing.
    public func write<T>(_ block: (Database) throws -> T) throws(TielineError) -> T {
        try guarded { try writer.write(block) }
    }

    func guarded<T>(_ block: () throws -> T) throws(TielineError) -> T {
        do {
            return try block()
        } catch let error as TielineError {
            throw error
        } catch let error as DatabaseError {
            throw SageCompany.translate(error)
        } catch {
            throw TielineError(.sageStore, "\(error)")
        }
    }

    /// Turns SQLite's constraint and trigger failures into coded, readable errors.
    /// A SQLite error as the message a user of Sage understands (rule triggers, field lengths).
    public static func translate(_ error: DatabaseError) -> TielineError {
        let message = error.message ?? "\(error)"
        if let colon = message.firstIndex(of: ":"), error.extendedResultCode == .SQLITE_CONSTRAINT_TRIGGER {
            let code = String(message[..<colon])
            return TielineError(.init(code), String(message[message.index(after: colon)...]).trimmingWhitespace())
        }
        switch error.extendedResultCode {
        case .SQLITE_CONSTRAINT_CHECK:
            return TielineError(.fieldTooLong, message.replacingOccurrences(of: "CHECK constraint failed: ", with: ""))
        case .SQLITE_CONSTRAINT_UNIQUE:
            return TielineError(.duplicateKey, message.replacingOccurrences(of: "UNIQUE constraint failed: ", with: "duplicate key: "))
        case .SQLITE_CONSTRAINT_NOTNULL:
            return TielineError(.missingValue, message.replacingOccurrences(of: "NOT NULL constraint failed: ", with: "a value is required: "))
        default:
            if error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
                return TielineError(.sageLocked, "the company is locked by another program: \(message)")
            }
            return TielineError(.sageStore, message)
        }
    }
}

/// A company's name and modules.
public struct CompanyInfo: Sendable, Hashable, Codable {
    public let name: String
    public let modules: Set<SageModule>
}


extension TielineError.Code {
    public static let sageCompanyExists = Self("sage_company_exists")
    public static let sageCompanyMissing = Self("sage_company_missing")
    public static let notSageCompany = Self("not_sage_company")
    public static let sageLocked = Self("sage_locked")
    public static let sageStore = Self("sage_store")
    public static let duplicateKey = Self("duplicate_key")
    public static let missingValue = Self("missing_value")
    public static let contractNotApproved = Self("contract_not_approved")
    public static let postedTransactionImmutable = Self("posted_transaction_immutable")
    public static let postingFailed = Self("posting_failed")
}
