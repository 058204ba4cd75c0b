@testable import Hub
import SyncCore
import Testing
import TielineCore

/// The SQLite apply stores rows 64 to a statement (`MirrorUpsert.chunk`) and dedups cost codes by their bytes
/// (`ByteKeySet`); both must store exactly what one row at a time did.
@Suite struct ChunkedApplyTests {
    /// A batch of `count` rows whose Sequence is `sequences[i]`: keys may repeat, and Description tells the rows apart.
    static func batch(sequences: [Int], dates: (Int) -> SyncValue = { _ in .text("2025-03-14") }) -> SyncBatch {
        var batch = Fixtures.batch(rows: 0)
        batch.upserts = sequences.enumerated().map { n, sequence in
            var row = Fixtures.transactionRow(sequence)
            row[7] = dates(n)
            row[9] = .text("row \(n)")
            return row
        }
        return batch
    }

    static func stored(_ storage: any HubStorage, _ site: HubSite, sequence: Int) async throws -> [String: SyncValue]? {
        let page = try await storage.mirrorRows(entity: "Transaction (JC)", key: ["1000", String(sequence)], page: 1, perPage: 5, site: site)
        return page.rows.first.map { Dictionary($0, uniquingKeysWith: { a, _ in a }) }
    }

    @Test(arguments: Backend.all) func rowsAcrossChunksAreStoredAndALaterDuplicateWins(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, _ in
            let site = try await StorageFixtures.siteWithRun(storage)
            // Two full chunks and a remainder of five; sequence 10 comes again in the second chunk and in the remainder,
            // sequence 63 (the first chunk's last) again as the second chunk's first.
            var sequences = Array(0 ..< 133)
            sequences[64] = 63
            sequences[70] = 10
            sequences[131] = 10
            let batch = Self.batch(sequences: sequences) { n in
                n % 3 == 0 ? .null : n % 3 == 1 ? .integer(Int64(20_250_000 + n)) : .text("2025-03-\(n % 28 + 1)")
            }
            let ack = try await storage.applyBatch(batch, site: site)
            #expect(ack.applied == 133)
            let all = try await storage.mirrorRows(entity: "Transaction (JC)", key: [], page: 1, perPage: 500, site: site)
            #expect(all.total == 130)
            #expect(try await Self.stored(storage, site, sequence: 10)?["Description"] == .text("row 131"))
            #expect(try await Self.stored(storage, site, sequence: 63)?["Description"] == .text("row 64"))
            #expect(try await Self.stored(storage, site, sequence: 64) == nil)
            for n in [0, 1, 2, 65, 127, 128, 132] where sequences[n] == n {
                let row = try #require(try await Self.stored(storage, site, sequence: n), "row \(n)")
                #expect(row["Description"] == .text("row \(n)"))
                #expect(row["Accounting_Date"] == batch.upserts[n][7], "row \(n)")
            }
        }
    }

    /// A later batch that brings a stored key replaces that row and keeps its new keys: on PostgreSQL its plain INSERT
    /// fails at the stored key, is rolled back to its savepoint (the new key inserted before it included), and the
    /// rows are upserted; later batches of the entity are upserted at once.
    @Test(arguments: Backend.all) func aLaterBatchOfStoredKeysReplacesTheirRows(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, _ in
            let site = try await StorageFixtures.siteWithRun(storage)
            _ = try await storage.applyBatch(Self.batch(sequences: Array(0 ..< 10)), site: site)
            var second = Self.batch(sequences: [12, 5])
            second.sequence = 1
            #expect(try await storage.applyBatch(second, site: site).applied == 2)
            var third = Self.batch(sequences: [7, 13])
            third.sequence = 2
            #expect(try await storage.applyBatch(third, site: site).applied == 2)
            #expect(try await storage.mirrorRows(entity: "Transaction (JC)", key: [], page: 1, perPage: 50, site: site).total == 12)
            #expect(try await Self.stored(storage, site, sequence: 12)?["Description"] == .text("row 0"))
            #expect(try await Self.stored(storage, site, sequence: 5)?["Description"] == .text("row 1"))
            #expect(try await Self.stored(storage, site, sequence: 7)?["Description"] == .text("row 0"))
            #expect(try await Self.stored(storage, site, sequence: 13)?["Description"] == .text("row 1"))
            #expect(try await Self.stored(storage, site, sequence: 4)?["Description"] == .text("row 4"))
        }
    }

    @Test(arguments: Backend.all) func aBadRowInALaterChunkLeavesNothingOfTheBatch(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, _ in
            let site = try await StorageFixtures.siteWithRun(storage)
            var batch = Self.batch(sequences: Array(0 ..< 150))
            batch.upserts[140][1] = .null
            await #expect(throws: TielineError.self) { _ = try await storage.applyBatch(batch, site: site) }
            let all = try await storage.mirrorRows(entity: "Transaction (JC)", key: [], page: 1, perPage: 5, site: site)
            #expect(all.total == 0)
            #expect(try await storage.appliedBatch(SyncBatchHeader(runID: "run-1", entity: batch.entity, sequence: 0), site: site) == nil)
        }
    }

    @Test(arguments: Backend.all) func aNULInAKeyOrADateIsRefusedByPostgreSQLNamingTheRow(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, _ in
            let site = try await StorageFixtures.siteWithRun(storage)
            var key = Self.batch(sequences: Array(0 ..< 3))
            key.upserts[1][0] = .text("10\u{0}00")
            var date = Self.batch(sequences: Array(0 ..< 3))
            date.upserts[2][7] = .text("2025\u{0}")
            date.sequence = 1
            for (batch, what) in [(key, "the key of upsert 1"), (date, "the date of upsert 2")] {
                if backend == .postgres {
                    let error = await #expect(throws: TielineError.self) { _ = try await storage.applyBatch(batch, site: site) }
                    #expect(error?.code == .invalidBatch && error?.message.hasPrefix(what) == true, "\(String(describing: error))")
                } else {
                    // SQLite stores text with a NUL as it came.
                    #expect(try await storage.applyBatch(batch, site: site).applied == 3)
                }
            }
        }
    }

    @Test(arguments: Backend.all) func costCodesOfEveryChunkAreIndexed(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, _ in
            let site = try await StorageFixtures.siteWithRun(storage)
            var batch = Self.batch(sequences: Array(0 ..< 200))
            for n in batch.upserts.indices {
                batch.upserts[n][4] = .text("01-\(n % 7)")
                batch.upserts[n][5] = n % 2 == 0 ? .text("L") : .null
            }
            _ = try await storage.applyBatch(batch, site: site)
            for code in 0 ..< 7 {
                #expect(try await storage.costCodeExists(job: "24-118", costCode: "01-\(code)", category: nil, site: site))
                #expect(try await storage.costCodeExists(job: "24-118", costCode: "01-\(code)", category: "L", site: site))
            }
            #expect(try await !storage.costCodeExists(job: "24-118", costCode: "01-7", category: nil, site: site))
        }
    }
}

@Suite struct ByteKeySetTests {
    static func insert(_ set: inout ByteKeySet, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { set.insert($0, hash: ByteKeySet.hash($0)) }
    }

    static func contains(_ set: ByteKeySet, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { set.contains($0, hash: ByteKeySet.hash($0)) }
    }

    @Test func holdsEachKeyOnceThroughGrowth() {
        var set = ByteKeySet()
        let keys = (0 ..< 5_000).map { Array("key \($0)".utf8) } + [[], [0], [0, 0], Array("key 1".utf8) + [0]]
        for key in keys { #expect(Self.insert(&set, key)) }
        for key in keys { #expect(!Self.insert(&set, key)) }
        #expect(set.count == keys.count)
        for key in keys { #expect(Self.contains(set, key)) }
        #expect(!Self.contains(set, Array("key 5000".utf8)))
        var seen: [[UInt8]] = []
        set.forEach { key, hash in
            seen.append(Array(key))
            #expect(hash == ByteKeySet.hash(key))
        }
        #expect(seen == keys)
    }

    @Test func costCodeKeysKeepTheirPartsApart() throws {
        // "24-1" + "18" and "24-" + "118" must not meet, nor a missing category and an empty one differ.
        let rows: [[SyncValue]] = [
            [.text("24-1"), .text("18"), .text("L")], [.text("24-"), .text("118"), .text("L")],
            [.text("24-1"), .text("18"), .null], [.text("24-1"), .text("18"), .text("")], [.text("24-1"), .text("18L"), .null],
        ]
        let batch = SyncBatch(runID: "r", entity: "Transaction (JC)", sequence: 0, columns: ["Job", "Cost_Code", "Category"],
                              key: ["Job"], dateColumn: nil, upserts: rows, deletes: [], throughVersion: 1)
        var entries: [CostCodeIndex.Entry] = []
        let bytes = SyncWire.encode(batch)
        try bytes.withUnsafeBytes { raw in
            let scan = try Result { () throws(TielineError) -> SyncBatchScan in try SyncWire.scan(raw) }.get()
            var collector = CostCodeIndex.Collector(columns: scan.columns)
            var values: [SyncWireValue] = []
            for range in scan.upserts {
                SyncWire.rowValues(raw, range, into: &values)
                collector.add(values)
            }
            collector.keys.forEach { key, _ in entries.append(CostCodeIndex.Entry(key: key)) }
        }
        #expect(entries == [
            .init(job: "24-1", costCode: "18", category: "L"), .init(job: "24-", costCode: "118", category: "L"),
            .init(job: "24-1", costCode: "18", category: ""), .init(job: "24-1", costCode: "18L", category: ""),
        ])
    }

    @Test func knownCostCodesAnswerPerSiteAndStartOverPastTheirLimit() {
        let known = KnownCostCodes(limit: 3)
        var batch = ByteKeySet()
        for key in ["a", "b"] { _ = Self.insert(&batch, Array(key.utf8)) }
        let fresh = known.unknown(site: 1, in: batch)
        #expect(fresh.map { Array($0.bytes) } == [Array("a".utf8), Array("b".utf8)])
        known.insert(site: 1, fresh)
        #expect(known.unknown(site: 1, in: batch).isEmpty)
        #expect(known.unknown(site: 2, in: batch).count == 2)
        known.insert(site: 2, known.unknown(site: 2, in: batch))
        // Four entries would pass the limit of three: it started over with site 2's two.
        #expect(known.unknown(site: 1, in: batch).count == 2)
        #expect(known.unknown(site: 2, in: batch).isEmpty)
    }
}
