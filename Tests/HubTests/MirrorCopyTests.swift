import Foundation
@testable import Hub
import NIOCore
import PostgresNIO
import SyncCore
import Testing

/// New mirror rows reach PostgreSQL by binary COPY, and a stored key by the upsert: both must leave the same rows.
@Suite struct MirrorCopyTests {
    @Test func thePayloadIsPostgresBinaryCopyFormat() throws {
        var chunk = PostgresBatchRows.UpsertChunk()
        chunk.keys.append(text: "1\u{1F}2")
        [UInt8]([0xAB, 0x00, 0xCD]).withUnsafeBytes { chunk.rows.append(bytes: $0) }
        chunk.dates.append(text: "2025-03-14")
        chunk.keys.append(text: "C1")
        [UInt8]([0x01]).withUnsafeBytes { chunk.rows.append(bytes: $0) }
        chunk.dates.appendNull()
        var payload = MirrorRowCopy.payload(MirrorRowStatements.Rows(site: 3, entity: 7, chunk: chunk, columnSet: 11, run: "42"))

        #expect(payload.readBytes(length: 11) == Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00])
        #expect(payload.readInteger(as: Int32.self) == 0)
        #expect(payload.readInteger(as: Int32.self) == 0)
        func field(_ buffer: inout ByteBuffer) -> [UInt8]? {
            let length = buffer.readInteger(as: Int32.self)!
            return length < 0 ? nil : buffer.readBytes(length: Int(length))
        }
        var rows: [[[UInt8]?]] = []
        while let count = payload.readInteger(as: Int16.self), count != -1 {
            #expect(count == 7)
            rows.append((0..<count).map { _ in field(&payload) })
        }
        #expect(payload.readableBytes == 0)
        let be = { (n: Int64, size: Int) in (0..<size).map { UInt8(truncatingIfNeeded: n >> (8 * (size - 1 - $0))) } }
        #expect(rows == [
            [be(3, 8), be(7, 4), Array("1\u{1F}2".utf8), be(11, 8), [0xAB, 0x00, 0xCD], Array("2025-03-14".utf8), Array("42".utf8)],
            [be(3, 8), be(7, 4), Array("C1".utf8), be(11, 8), [0x01], nil, Array("42".utf8)],
        ])
    }

    @Test(.enabled(if: Backend.postgresServer != nil)) func copiedAndUpsertedRowsAreTheSame() async throws {
        try await TestDatabase.with(.postgres) { storage, database in
            let token = try await storage.addSite("Acme")
            let site = try #require(try await storage.site(forToken: token))
            var snapshots: [[[String?]]] = []
            for run in ["1d2e3f4a-0000-4000-8000-000000000001", "1d2e3f4a-0000-4000-8000-000000000002"] {
                _ = try await storage.beginRun(SyncRunStart(runID: run, connection: "Main", type: .deep, timeframe: .beginningOfTime,
                                                            startDate: nil, entities: ["Transaction (JC)", "Customer"]), site: site)
                // The first run's rows are all new (COPY); the second brings the same keys (the COPY fails, the upsert stores).
                _ = try await storage.applyBatch(Fixtures.batch(run: run, rows: 3, from: 1), site: site)
                _ = try await storage.applyBatch(Fixtures.customers(run: run, ["C1", "C2"]), site: site)
                snapshots.append(try await database.postgres { connection in
                    var rows: [[String?]] = []
                    for try await row in try await connection.query("""
                        SELECT e.name, m.key, m.column_set::text, encode(m.row, 'hex'), m.date, m.last_run
                        FROM mirror_row m JOIN mirror_entity e ON e.id = m.entity_id ORDER BY 1, 2
                        """, logger: TestDatabase.quietLogger).decode((String, String, String, String, String?, String?).self) {
                        rows.append([row.0, row.1, row.2, row.3, row.4, row.5])
                    }
                    return rows
                })
            }
            #expect(snapshots[0].count == 5)
            #expect(snapshots[0].map { Array($0.prefix(5)) } == snapshots[1].map { Array($0.prefix(5)) })
            #expect(snapshots[0].filter { $0[0] == "Customer" }.allSatisfy { $0[4] == nil })
            #expect(snapshots[0].filter { $0[0] == "Transaction (JC)" }.allSatisfy { $0[4] == "2025-03-14" })
            #expect(Set(snapshots[0].map { $0[5] }).count == 1 && Set(snapshots[1].map { $0[5] }).count == 1)
            #expect(snapshots[0][0][5] != snapshots[1][0][5])
        }
    }
}
