import GRDB
import SageModel
import TielineCore

extension SageCompany {
    /// Copies a table into a fresh attached database with one `INSERT INTO … SELECT`: the
    /// fastest a local copy of the rows can go here, the ceiling beside which syncs are measured.
    /// `keyed` adds a unique index on the table's key first (what a mirror must maintain). Returns the rows copied.
    public func copyTable(_ table: SageTable, into path: String, keyed: Bool = false) throws(TielineError) -> Int {
        do {
            let queue = try DatabaseQueue(path: self.path)
            return try queue.inDatabase { db in
                try db.execute(sql: "ATTACH DATABASE ? AS ceiling", arguments: [path])
                try db.execute(sql: "CREATE TABLE ceiling.copy AS SELECT * FROM \(table.name) WHERE 0")
                if keyed {
                    try db.execute(sql: "CREATE UNIQUE INDEX ceiling.copy_key ON copy (\(table.key.map { "\"\($0)\"" }.joined(separator: ", ")))")
                }
                try db.execute(sql: "INSERT INTO ceiling.copy SELECT * FROM \(table.name)")
                let rows = db.changesCount
                try db.execute(sql: "DETACH DATABASE ceiling")
                return rows
            }
        } catch let error as DatabaseError {
            throw SageCompany.translate(error)
        } catch {
            throw TielineError(.sageStore, "\(error)")
        }
    }
}
