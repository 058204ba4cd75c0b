import Foundation
import GRDB
import SageModel
import SyncCore
import Testing
import TielineCore
@testable import Agent

/// A Deep read writes rows straight into wire form (`EntityReader.readEncoded`); they must be the rows
/// the value-by-value reading gives, odd stored values included.
@Suite struct EncodedReadTests {
    @Test func aDeepReadSendsWhatTheValueReadingReads() throws {
        let fixture = try SageFixture()
        try fixture.seed(jobs: 4, transactions: 120)
        // What raw SQL can leave in a Sage file: a REAL amount (whole and not), a BLOB, text that is not UTF-8, non-ASCII text.
        let odd = ["12.0", "0.25", "X'0102FF'", "CAST(X'4F4BC328' AS TEXT)", "'Béton coulé 工事'"]
        for (n, value) in odd.enumerated() {
            try fixture.execute("""
                INSERT INTO JCT_CURRENT__TRANSACTION (Run, Sequence, Job, Extra, Cost_Code, Category, Transaction_Type, Accounting_Date,
                    Transaction_Date, Description, Amount)
                VALUES (2, \(n), 'J01', '', '01-100', 'L', 'JC cost', '2025-05-10', '2025-05-10', \(n < 2 ? "'Odd'" : value), \(n < 2 ? value : "7"))
                """)
        }
        let reader = try EntityReader(company: fixture.company, entity: EntityCatalog.transaction,
                                      columns: SageSchema.transaction.columns.map(\.name), startDate: nil)
        let key = ["Run", "Sequence"].map { reader.columns.firstIndex(of: $0)! }
        var position: Int64 = 0
        var encodedRows: [[SyncValue]] = []
        var keys: [[SyncValue]] = []
        while true {
            let chunk = try reader.read(after: position, bound: .limit(50, cap: nil), mode: .deep)
            if chunk.isEmpty { break }
            let encoded = try #require(chunk.encoded)
            #expect(chunk.upserts.isEmpty && chunk.upsertCount == encoded.count)
            let batch = SyncBatch(runID: "r", entity: "Transaction (JC)", sequence: 0, columns: reader.columns, key: ["Run", "Sequence"],
                                  dateColumn: nil, upserts: [], deletes: [], throughVersion: chunk.through)
            encodedRows += try SyncWire.decode(SyncWire.encode(batch, upserts: encoded)).upserts
            keys += chunk.upsertKeys(key)
            position = chunk.through
        }
        // The first incremental reads the same rows value by value (no tombstones here).
        let plain = try reader.read(after: 0, bound: .limit(1_000, cap: nil), mode: .initialLoad)
        #expect(plain.encoded == nil && plain.upserts.count == 125)
        #expect(encodedRows == plain.upserts)
        #expect(keys == plain.upserts.map { row in key.map { row[$0] } })
        #expect(plain.upserts.contains { $0.contains(.text("Béton coulé 工事")) })
        #expect(plain.upserts.contains { $0.contains(.text("OK\u{FFFD}(")) }, "invalid UTF-8 is repaired alike")
        #expect(plain.upserts.contains { $0.contains(.text("0.25")) } && plain.upserts.contains { $0.contains(.text("AQL/")) }, "a REAL and a BLOB")
    }

    @Test func utf8CheckLooksAtEveryByte() {
        for length in 0 ..< 20 {
            let ascii = [UInt8](repeating: 0x41, count: length)
            #expect(ascii.withUnsafeBytes(SyncWire.isUTF8))
            for position in 0 ..< length {
                var high = ascii
                high[position] = 0xC3
                #expect(!high.withUnsafeBytes(SyncWire.isUTF8), "length \(length), byte \(position)")
            }
        }
    }
}
