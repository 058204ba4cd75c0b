import Foundation
import GRDB
@testable import Hub
import SyncCore
import Testing

/// SQLite's mirror keys its rows by an entity id (v7-entity-ids): a hub file of the v6 layout upgrades with its rows
/// readable and still removed by a Deep that does not send them, and entities share no rows.
@Suite struct SQLiteEntityIDTests {
    @Test func aPopulatedV6HubFileUpgrades() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("entity-ids-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("hub.sqlite").path
        let older = try DatabaseQueue(path: path)
        try HubSchema.migrator.migrate(older, upTo: "v6-older-rows")
        let row = SyncWire.encodeValues([.text("C1"), .text("Name of C1")])
        try await older.write { db in
            try db.execute(sql: "INSERT INTO site (name, created_at) VALUES ('Acme', '2026-01-01T00:00:00Z')")
            try db.execute(sql: """
                INSERT INTO column_set (site_id, entity, columns) VALUES (1, 'Customer', '["Customer","Name"]')
                """)
            for (entity, key) in [("Customer", "C1"), ("Customer", "C2"), ("Vendor", "C1")] {
                try db.execute(sql: """
                    INSERT INTO mirror_row (site_id, entity, key, column_set, row, date, last_run) VALUES (1, ?, ?, 1, ?, NULL, '7')
                    """, arguments: [entity, key, Data(row)])
            }
        }
        try older.close()

        let storage = try SQLiteHubStorage(path: path)
        try await storage.withRunning {
            let site = try #require(try await storage.sites().first)
            let customers = try await storage.mirrorRows(entity: "Customer", key: [], page: 1, perPage: 10, site: site)
            #expect(customers.total == 2)
            #expect(customers.rows.first?.map(\.1) == [.text("C1"), .text("Name of C1")])
            #expect(try await storage.mirrorRowExists(entity: "Vendor", key: ["C1"], site: site))
            #expect(try await !storage.mirrorRowExists(entity: "Vendor", key: ["C2"], site: site))

            // A Deep that sends C2 again removes the upgraded C1 of Customer and leaves Vendor's C1 alone.
            let run = "0d6c8a52-5f7e-4b8e-9a51-3c2f0e9d7b14"
            _ = try await storage.beginRun(SyncRunStart(runID: run, connection: "Main", type: .deep, timeframe: .beginningOfTime,
                                                        startDate: nil, entities: ["Customer"]), site: site)
            _ = try await storage.applyBatch(Fixtures.customers(run: run, ["C2"]), site: site)
            #expect(try await storage.completeEntity(EntityCompletion(runID: run, entity: "Customer", rowCount: 1), site: site) == 1)
            #expect(try await storage.mirrorRows(entity: "Customer", key: [], page: 1, perPage: 10, site: site).rows.first?.first?.1 == .text("C2"))
            #expect(try await storage.mirrorRowExists(entity: "Vendor", key: ["C1"], site: site))
            // A new entity gets the next id.
            _ = try await storage.applyBatch(SyncBatch(runID: run, entity: "Job (CV)", sequence: 0, columns: ["Job"], key: ["Job"], dateColumn: nil,
                                                       upserts: [[.text("24-118")]], deletes: [], throughVersion: 1), site: site)
            #expect(try await storage.mirrorRowExists(entity: "Job (CV)", key: ["24-118"], site: site))
        }
        let (columns, entities) = try await DatabaseQueue(path: path).read { db in
            (try String.fetchAll(db, sql: "SELECT name FROM pragma_index_info((SELECT name FROM pragma_index_list('mirror_row') WHERE origin = 'pk'))"),
             try String.fetchAll(db, sql: "SELECT id || ':' || name FROM mirror_entity ORDER BY id"))
        }
        #expect(columns == ["site_id", "entity_id", "key"])
        #expect(entities == ["1:Customer", "2:Vendor", "3:Job (CV)"])
    }
}
