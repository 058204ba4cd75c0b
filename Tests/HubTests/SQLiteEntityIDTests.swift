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
            let (site, run) = try await MirrorEntityIDTests.expectUpgradedMirror(storage)
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
