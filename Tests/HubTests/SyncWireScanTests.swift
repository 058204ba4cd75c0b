@testable import Hub
import NIOCore
import SyncCore
import Testing
import TielineCore

/// The hub applies batches from their bytes (`SyncWire.scan`), so scanning must accept and refuse exactly what
/// decoding does, and point at each row's bytes as `encodeValues` would write them.
@Suite struct SyncWireScanTests {
    static func scan(_ bytes: [UInt8]) throws(TielineError) -> SyncBatchScan {
        try bytes.withUnsafeBytes { raw in Result { () throws(TielineError) -> SyncBatchScan in try SyncWire.scan(raw) } }.get()
    }

    /// Scan's outcome and decode's, side by side: both succeed or both fail with the same code and message.
    static func agree(_ bytes: [UInt8]) -> Bool {
        let decoded = Result { () throws(TielineError) -> SyncBatch in try SyncWire.decode(bytes) }
        let scanned = Result { () throws(TielineError) -> SyncBatchScan in try scan(bytes) }
        switch (decoded, scanned) {
        case (.success, .success): return true
        case (.failure(let a), .failure(let b)): return a.code == b.code && a.message == b.message
        default: return false
        }
    }

    @Test func rowsAreTheBytesEncodeValuesWrites() throws {
        var batch = Fixtures.batch(rows: 40, sequence: 3)
        batch.upserts.append([.integer(.min), .integer(.max), .text(""), .text("Ünïcödé 工事 🏗"), .null] + Array(repeating: .integer(-1), count: 26))
        batch.deletes = [[.integer(1000), .integer(3)], [.text("x"), .integer(-64)]]
        let bytes = SyncWire.encode(batch)
        let scan = try Self.scan(bytes)
        #expect(scan.runID == batch.runID && scan.entity == batch.entity && scan.sequence == 3)
        #expect(scan.columns == batch.columns && scan.key == batch.key && scan.dateColumn == batch.dateColumn)
        #expect(scan.throughVersion == batch.throughVersion && scan.deletes == batch.deletes)
        #expect(scan.upserts.map { Array(bytes[$0]) } == batch.upserts.map(SyncWire.encodeValues))
        // Reading a scanned row's values gives back the decoded ones.
        bytes.withUnsafeBytes { raw in
            var values: [SyncWireValue] = []
            for (range, row) in zip(scan.upserts, batch.upserts) {
                SyncWire.rowValues(raw, range, into: &values)
                let read: [SyncValue] = values.map {
                    switch $0 {
                    case .null: .null
                    case .integer(let n): .integer(n)
                    case .text(let t): .text(String(decoding: t, as: UTF8.self))
                    }
                }
                #expect(read == row)
            }
        }
    }

    @Test func everyTruncationFailsAsDecodeFails() {
        let bytes = SyncWire.encode(Fixtures.batch(rows: 3))
        for length in 0..<bytes.count {
            #expect(Self.agree(Array(bytes.prefix(length))), "prefix of \(length) bytes")
        }
    }

    @Test func fuzzedBytesAreJudgedAsDecodeJudgesThem() {
        var rng = SplitMix64(seed: 0x5CA1_AB1E)
        var valid = Fixtures.batch(rows: 4)
        valid.upserts[1][9] = .text("Ünïcödé")
        let bytes = SyncWire.encode(valid)
        for round in 0..<3000 {
            var mutated = bytes
            if round % 2 == 0 {
                for _ in 0..<Int.random(in: 1...6, using: &rng) {
                    mutated[Int.random(in: 5..<mutated.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
            } else {
                mutated = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
                mutated += (0..<Int.random(in: 0...12, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            }
            #expect(Self.agree(mutated), "round \(round)")
        }
    }

    @Test func limitsAreTheDecodersLimits() {
        let wide = SyncBatch(runID: "r", entity: "Customer", sequence: 0, columns: ["a"], key: ["a"], dateColumn: nil,
                             upserts: Array(repeating: [.null], count: SyncWire.maxRows + 1), deletes: [], throughVersion: 0)
        let tooMany = SyncWire.encode(wide)
        #expect(Self.agree(tooMany))
        #expect((try? Self.scan(tooMany)) == nil)
    }

    @Test(arguments: Backend.all) func integerKeysAndDatesAreStoredAsTheirDigits(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, _ in
            let site = try await StorageFixtures.siteWithRun(storage)
            let numbers: [Int64] = [0, 7, -42, .min, .max]
            let batch = SyncBatch(runID: "run-1", entity: "Transaction (JC)", sequence: 0, columns: ["Run", "Sequence", "Accounting_Date"],
                                  key: ["Run", "Sequence"], dateColumn: "Accounting_Date",
                                  upserts: numbers.map { [.integer($0), .text("s\u{1F}\u{1B}"), .integer($0)] }, deletes: [], throughVersion: 1)
            _ = try await storage.applyBatch(batch, site: site)
            for n in numbers {
                let page = try await storage.mirrorRows(entity: "Transaction (JC)", key: [String(n), "s\u{1F}\u{1B}"], page: 1, perPage: 5, site: site)
                #expect(page.total == 1, "key \(n)")
            }
        }
    }
}

@Suite struct BatchGateTests {
    /// Records the order things happen in, across tasks.
    actor Log {
        var events: [String] = []
        func add(_ event: String) { events.append(event) }
    }

    @Test func batchesOverTheByteBudgetWaitForTheOnesIn() async throws {
        let gate = BatchGate(limit: 4, byteBudget: 100)
        let log = Log()
        let (firstIn, entered) = AsyncStream.makeStream(of: Void.self)
        let (released, release) = AsyncStream.makeStream(of: Void.self)
        async let first: Void = gate.run(bytes: 70) {
            await log.add("first in")
            entered.yield()
            for await _ in released { break }
            await log.add("first out")
        }
        for await _ in firstIn { break }
        // 70 + 40 is over the budget of 100: the second waits although a slot is free.
        async let second: Void = gate.run(bytes: 40) { await log.add("second in") }
        while await gate.waitingCount == 0 { await Task.yield() }
        #expect(await log.events == ["first in"])
        release.yield()
        _ = try await (first, second)
        #expect(await log.events == ["first in", "first out", "second in"])
        // Larger than the whole budget: let in alone rather than never.
        let alone = try await gate.run(bytes: 1_000) { 1 }
        #expect(alone == 1)
    }
}
