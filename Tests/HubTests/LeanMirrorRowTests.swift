import Foundation
import GRDB
@testable import Hub
import PostgresNIO
import SyncCore
import Testing

/// Mirror rows keep the run's serial in `last_run` and no `updated_at` (the v5 / migration 5 layout): smaller rows,
/// and rows stamped the old way (with a run's id) are still removed by the next Deep when it does not send them.
@Suite struct LeanMirrorRowTests {
    @Test(arguments: Backend.all) func rowsStampedWithARunIDAreStillRemovedByTheNextDeep(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, database in
            _ = try await storage.addSite("Acme")
            let site = try #require(try await storage.sites().first)
            func begin(_ run: String) async throws {
                _ = try await storage.beginRun(SyncRunStart(runID: run, connection: "Main", type: .deep, timeframe: .beginningOfTime,
                                                            startDate: nil, entities: []), site: site)
            }
            try await begin("older-run")
            _ = try await storage.applyBatch(Fixtures.batch(run: "older-run", rows: 3), site: site)
            // What a hub before lean rows stored: the run's 36-character id in every row.
            try await database.execute("UPDATE mirror_row SET last_run = '6f1c2b9e-0000-4000-8000-000000000001'")

            let run = "0d6c8a52-5f7e-4b8e-9a51-3c2f0e9d7b14"
            try await begin(run)
            _ = try await storage.applyBatch(Fixtures.batch(run: run, rows: 1, from: 1), site: site)
            let stamps = try await database.query("SELECT last_run FROM mirror_row ORDER BY last_run")
            #expect(stamps.count == 3)
            #expect(stamps.filter { $0.count < 12 && $0.allSatisfy(\.isNumber) }.count == 1, "the row just sent carries a short serial: \(stamps)")
            #expect(try await storage.completeEntity(EntityCompletion(runID: run, entity: "Transaction (JC)", rowCount: 1), site: site) == 2)
            let left = try await storage.mirrorRows(entity: "Transaction (JC)", key: [], page: 1, perPage: 10, site: site)
            #expect(left.total == 1)

            let columns = switch backend {
            case .sqlite: try await database.query("SELECT name FROM pragma_table_info('mirror_row')")
            case .postgres: try await database.query("SELECT column_name::text FROM information_schema.columns WHERE table_name = 'mirror_row'")
            }
            #expect(columns.contains("last_run") && !columns.contains("updated_at"))
        }
    }

    /// A populated hub file of the v4 layout opens under v5: its rows keep everything but updated_at.
    @Test func aPopulatedV4HubFileUpgrades() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lean-rows-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("hub.sqlite").path
        let older = try DatabaseQueue(path: path)
        try HubSchema.migrator.migrate(older, upTo: "v4-procore-staging")
        try await older.write { db in
            try db.execute(sql: """
                INSERT INTO mirror_row (site_id, entity, key, column_set, row, date, last_run, updated_at)
                VALUES (1, 'Customer', 'C1', 1, x'00', NULL, '6f1c2b9e-0000-4000-8000-000000000001', '2026-01-01T00:00:00Z')
                """)
        }
        try older.close()
        try await SQLiteHubStorage(path: path).withRunning { }
        let (columns, keys) = try await DatabaseQueue(path: path).read { db in
            (try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('mirror_row')"),
             try String.fetchAll(db, sql: "SELECT key || '|' || last_run FROM mirror_row"))
        }
        #expect(!columns.contains("updated_at"))
        #expect(keys == ["C1|6f1c2b9e-0000-4000-8000-000000000001"])
    }
}
