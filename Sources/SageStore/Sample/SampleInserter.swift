import GRDB
import SageModel

/// A prepared INSERT into one Sage table for a fixed list of columns.
///
/// The generator writes through SQL rather than records for speed; the table's CHECK
/// constraints still enforce Sage's field lengths on every row.
struct SampleInserter {
    let statement: Statement

    init(_ db: Database, _ table: SageTable, _ columns: [String]) throws {
        precondition(columns.allSatisfy { table.column($0) != nil || $0 == SageSchema.rowVersion }, "unknown column for \(table.name)")
        let names = columns.map { "\"\($0)\"" }.joined(separator: ", ")
        let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        statement = try db.makeStatement(sql: "INSERT INTO \(table.name) (\(names)) VALUES (\(marks))")
    }

    func insert(_ values: [(any DatabaseValueConvertible)?]) throws {
        try statement.execute(arguments: StatementArguments(values))
    }
}
