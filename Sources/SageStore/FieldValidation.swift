import GRDB
import SageModel
import TielineCore

extension SageTable {
    /// Checks one row's values against Sage's field lengths, required columns and date form.
    ///
    /// Over-long values are never truncated: the error names table, column, value and limit.
    public func validate(_ values: [String: DatabaseValue]) throws(TielineError) {
        for column in columns {
            let value = values[column.name] ?? .null
            if value.isNull {
                if (!column.optional || key.contains(column.name)) && column.kind != .money {
                    throw TielineError(.missingValue, "\(name).\(column.name): a value is required")
                }
                continue
            }
            switch column.kind {
            case .text(let length):
                if let text = String.fromDatabaseValue(value) {
                    try Self.checkLength(table: name, column: column.name, value: text, limit: length)
                }
            case .date:
                if let text = String.fromDatabaseValue(value) {
                    _ = try CalendarDate(parsing: text, field: "\(name).\(column.name)")
                }
            case .money, .integer, .decimal:
                break
            }
        }
    }

}

/// A plain struct stored in a Sage table, validated against the schema on every save.
public protocol SageRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    /// The Sage table the record lives in.
    static var sageTable: SageTable { get }
}

extension SageRecord {
    public static var databaseTableName: String { sageTable.name }

    public func willSave(_ db: Database) throws {
        try Self.sageTable.validate(databaseDictionary)
    }
}

extension Money: DatabaseValueConvertible {
    /// Stored as INTEGER cents.
    public var databaseValue: DatabaseValue { cents.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Money? {
        Int64.fromDatabaseValue(dbValue).map(Money.init(cents:))
    }
}

extension CalendarDate: DatabaseValueConvertible {
    /// Stored as TEXT `YYYY-MM-DD`.
    public var databaseValue: DatabaseValue { description.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> CalendarDate? {
        String.fromDatabaseValue(dbValue).flatMap { try? CalendarDate(parsing: $0) }
    }
}
