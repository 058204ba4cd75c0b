/// The kind of value a Sage column holds, with Sage's own field length for text.
public enum ColumnKind: Sendable, Hashable {
    /// Text of at most `length` characters (Sage's field length).
    case text(Int)
    /// Exact money, stored as INTEGER cents.
    case money
    /// A calendar day, stored as TEXT `YYYY-MM-DD`.
    case date
    /// A whole number.
    case integer
    /// An exact decimal quantity (units), stored as TEXT.
    case decimal

    /// The SQLite type the embedded store keeps the column in.
    public var sqlType: String {
        switch self {
        case .text, .date, .decimal: "TEXT"
        case .money, .integer: "INTEGER"
        }
    }

    /// The field length for text columns.
    public var length: Int? {
        if case .text(let length) = self { return length }
        return nil
    }
}

/// One column of a Sage table.
public struct SageColumn: Sendable, Hashable {
    public let name: String
    public let kind: ColumnKind
    /// Optional columns hold NULL; key and required columns never do.
    public let optional: Bool

    public init(_ name: String, _ kind: ColumnKind, optional: Bool = false) {
        self.name = name
        self.kind = kind
        self.optional = optional
    }
}

/// A Sage 300 CRE table in SQL-replica style: Sage's table and column names.
public struct SageTable: Sendable, Hashable {
    public let name: String
    public let columns: [SageColumn]
    /// The natural key, unique per table.
    public let key: [String]
    /// Why a name is ours rather than Sage's, when no public source confirms it.
    public let note: String?

    public init(_ name: String, key: [String], note: String? = nil, columns: [SageColumn]) {
        self.name = name
        self.key = key
        self.note = note
        self.columns = columns
    }

    /// The column named `name`, if the table has it.
    public func column(_ name: String) -> SageColumn? { columns.first { $0.name == name } }

    /// Every column name, in schema order.
    public var columnNames: [String] { columns.map(\.name) }

    /// What a sync reads and sends: every column, then the record's `Row_ID`.
    public var syncedColumnNames: [String] { columnNames + [SageSchema.rowID] }
}

/// Common column groups, so lengths are written once.
enum Col {
    static func job(optional: Bool = false) -> SageColumn { SageColumn("Job", .text(10), optional: optional) }
    static func extra() -> SageColumn { SageColumn("Extra", .text(10)) }  // '' when a job has no extras
    static func costCode(optional: Bool = false) -> SageColumn { SageColumn("Cost_Code", .text(12), optional: optional) }
    static func category(optional: Bool = false) -> SageColumn { SageColumn("Category", .text(3), optional: optional) }
    static func description() -> SageColumn { SageColumn("Description", .text(30), optional: true) }
    static func customer(optional: Bool = false) -> SageColumn { SageColumn("Customer", .text(10), optional: optional) }
    static func vendor(optional: Bool = false) -> SageColumn { SageColumn("Vendor", .text(10), optional: optional) }
    static func contract(optional: Bool = false) -> SageColumn { SageColumn("Contract", .text(10), optional: optional) }
    static func item(optional: Bool = false) -> SageColumn { SageColumn("Item", .text(10), optional: optional) }
    static func changeOrder(optional: Bool = false) -> SageColumn { SageColumn("Change_Order", .text(5), optional: optional) }
    // Status 20, City 15, State 4: JCM_MASTER__JOB and JCM_MASTER__CATEGORY in a public EF Core scaffold of a
    // Sage 300 CRE SQL replica (namespace OEWebData); the same lengths are assumed for the other tables.
    static func status() -> SageColumn { SageColumn("Status", .text(20)) }
    static func address() -> [SageColumn] {
        [SageColumn("Address_1", .text(30), optional: true), SageColumn("City", .text(15), optional: true),
         SageColumn("State", .text(4), optional: true), SageColumn("ZIP_Code", .text(10), optional: true)]
    }
}
