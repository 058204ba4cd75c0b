import Agent
import Foundation
import GRDB
import SageStore
import SageModel
import TielineCore

/// A fresh, empty home folder under the system temp directory.
func makeHome() -> TielineHome {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tieline-agent-tests-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return TielineHome(url: url)
}

/// Creates a Sage company file in `home`, with or without PJ and an Approved contract.
func makeCompany(in home: TielineHome, pj: Bool, approvedContract: Bool = true, file: String = "company.sqlite") throws -> String {
    let path = home.path(file).path
    let modules = pj ? SageModule.standard.union([.pj]) : SageModule.standard
    let company = try SageCompany.create(at: path, name: "Test Builders", modules: modules)
    try company.write { db in
        try Contract(contract: "C-100", job: "J-100", customer: "CU1", description: "Main contract",
                     status: approvedContract ? "Approved" : "Pending").insert(db)
    }
    return path
}

/// Writes `agent.sqlite` with the sync engineer's `sync_run` schema and the given rows.
func writeRunLog(in home: TielineHome, rows: [(connection: String, type: String, timeframe: String, status: String)]) throws {
    let queue = try DatabaseQueue(path: home.path("agent.sqlite").path)
    try queue.write { db in
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS sync_run(id TEXT PRIMARY KEY, connection TEXT, type TEXT, timeframe TEXT,
              started_at TEXT, finished_at TEXT, status TEXT, entities TEXT, error TEXT)
            """)
        for (index, row) in rows.enumerated() {
            try db.execute(sql: "INSERT INTO sync_run VALUES (?, ?, ?, ?, '2026-11-27T10:00:00Z', '2026-11-27T10:05:00Z', ?, '[]', NULL)",
                           arguments: ["run-\(index)", row.connection, row.type, row.timeframe, row.status])
        }
    }
}
