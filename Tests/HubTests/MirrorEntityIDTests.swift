import Foundation
@testable import Hub
import PostgresNIO
import SyncCore
import Testing

/// PostgreSQL's mirror keys its rows by an entity id (migration 6): a hub of the v5 layout upgrades with its rows
/// readable and still removed by a Deep that does not send them, and entities share no rows.
@Suite struct MirrorEntityIDTests {
    @Test(.enabled(if: Backend.postgresServer != nil)) func aPopulatedV5DatabaseUpgrades() async throws {
        let database = try await TestDatabase.make(.postgres)
        do {
            try await upgrade(database)
            await database.drop()
        } catch {
            await database.drop()
            throw error
        }
    }

    func upgrade(_ database: TestDatabase) async throws {
        let row = SyncWire.encodeValues([.text("C1"), .text("Name of C1")])
        try await database.postgres { connection in
            let logger = TestDatabase.quietLogger
            try await PostgresHubSchema.migrate(connection, upTo: 5, logger: logger)
            _ = try await connection.query("INSERT INTO site (name, created_at) VALUES ('Acme', '2026-01-01T00:00:00Z')", logger: logger)
            _ = try await connection.query("""
                INSERT INTO column_set (site_id, entity, columns) VALUES (1, 'Customer', '["Customer","Name"]')
                """, logger: logger)
            for (entity, key) in [("Customer", "C1"), ("Customer", "C2"), ("Vendor", "C1")] {
                _ = try await connection.query("""
                    INSERT INTO mirror_row (site_id, entity, key, column_set, row, date, last_run)
                    VALUES (1, \(entity), \(key), 1, \(ByteBuffer(bytes: row)), NULL, '6f1c2b9e-0000-4000-8000-000000000001')
                    """, logger: logger)
            }
        }
        let storage = try await database.open()
        try await storage.withRunning { _ = try await Self.expectUpgradedMirror(storage) }
        let (columns, entities) = try await database.postgres { connection in
            var columns: [String] = []
            for try await name in try await connection.query("""
                SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                WHERE i.indrelid = 'mirror_row'::regclass AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)
                """, logger: TestDatabase.quietLogger).decode(String.self) { columns.append(name) }
            var entities: [String] = []
            for try await name in try await connection.query("SELECT name FROM mirror_entity ORDER BY id", logger: TestDatabase.quietLogger)
                .decode(String.self) { entities.append(name) }
            return (columns, entities)
        }
        #expect(columns == ["site_id", "entity_id", "key"])
        #expect(entities == ["Customer", "Vendor"])
    }

    /// What a hub upgraded from rows Customer C1, C2 and Vendor C1 (stamped by an older run) must show, on either
    /// backend: the rows read back, a Deep that sends only C2 removes Customer's C1, and Vendor's C1 (same key)
    /// stays. Returns the site and that Deep's run, for the caller's further checks.
    @discardableResult
    static func expectUpgradedMirror(_ storage: any HubStorage) async throws -> (site: HubSite, run: String) {
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
        return (site, run)
    }
}
