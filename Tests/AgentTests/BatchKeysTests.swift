@testable import Agent
import SyncCore
import Testing

/// A batch holding a key of one still in flight waits for it (`SyncRunner`); `BatchKeys` tells when.
@Suite struct BatchKeysTests {
    static func row(_ run: Int, _ sequence: Int) -> [SyncValue] {
        [.integer(Int64(run)), .text("payload"), .integer(Int64(sequence))]
    }

    static func keys(_ rows: [[SyncValue]], deletes: [[SyncValue]] = []) -> BatchKeys {
        BatchKeys(upserts: rows, deletes: deletes, keyIndexes: [0, 2])
    }

    @Test func batchesOfDistinctKeysDoNotOverlap() {
        let first = Self.keys((0 ..< 10_000).map { Self.row(1, $0) })
        let second = Self.keys((10_000 ..< 20_000).map { Self.row(1, $0) })
        #expect(!first.overlaps(second) && !second.overlaps(first))
        // The key is the key columns in order: (2, 1) is not (1, 2), and other columns do not count.
        #expect(!Self.keys([Self.row(1, 2)]).overlaps(Self.keys([Self.row(2, 1)])))
        #expect(Self.keys([Self.row(1, 2)]).overlaps(Self.keys([[.integer(1), .text("changed"), .integer(2)]])))
    }

    @Test func aSharedKeyIsFoundWhereverItIs() {
        let first = Self.keys((0 ..< 5_000).map { Self.row(7, $0) })
        for sequence in [0, 2_500, 4_999] {
            let later = Self.keys((5_000 ..< 6_000).map { Self.row(7, $0) } + [Self.row(7, sequence)])
            #expect(first.overlaps(later) && later.overlaps(first), "sequence \(sequence)")
        }
        // A delete of a key an earlier batch upserts (and the other way round) holds the same key.
        let deleting = Self.keys([], deletes: [[.integer(7), .integer(4_321)]])
        #expect(first.overlaps(deleting) && deleting.overlaps(first))
        #expect(!BatchKeys.none.overlaps(first) && !first.overlaps(.none))
    }
}
