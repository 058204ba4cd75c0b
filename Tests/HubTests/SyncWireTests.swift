import SyncCore
import Testing
import TielineCore

@Suite struct SyncWireTests {
    @Test func roundTripsEveryKindOfValue() throws {
        let batch = Fixtures.batch(rows: 50, sequence: 7)
        var edge = batch
        edge.upserts.append([.integer(.min), .integer(.max), .text(""), .text("Ünïcödé 工事 🏗"), .null] + Array(repeating: .integer(-1), count: 26))
        edge.deletes = [[.integer(1000), .integer(3)], [.text("x"), .integer(-64)]]
        edge.dateColumn = nil
        edge.throughVersion = -5
        #expect(try SyncWire.decode(SyncWire.encode(batch)) == batch)
        #expect(try SyncWire.decode(SyncWire.encode(edge)) == edge)
        let empty = SyncBatch(runID: "", entity: "", sequence: 0, columns: [], key: [], dateColumn: nil, upserts: [], deletes: [], throughVersion: 0)
        #expect(try SyncWire.decode(SyncWire.encode(empty)) == empty)
    }

    @Test func preEncodedUpsertsGiveTheSameBytes() throws {
        var batch = Fixtures.batch(rows: 300, sequence: 2, deletes: [[.integer(1000), .integer(-3)]])
        batch.upserts.append([.integer(.min), .integer(.max), .text(""), .text("Ünïcödé 工事 🏗"), .null, .text(String(repeating: "x", count: 200))])
        var rows = SyncWire.EncodedRows()
        for row in batch.upserts {
            rows.beginRow(values: row.count)
            for value in row {
                switch value {
                case .null: rows.appendNull()
                case .integer(let n): rows.appendInteger(n)
                case .text(var t): t.withUTF8 { rows.appendText(utf8: UnsafeRawBufferPointer($0)) }
                }
            }
        }
        #expect(rows.count == 301)
        var header = batch
        header.upserts = [[.text("ignored")]]
        #expect(SyncWire.encode(header, upserts: rows) == SyncWire.encode(batch))
        var none = batch
        none.upserts = []
        #expect(SyncWire.encode(none, upserts: SyncWire.EncodedRows()) == SyncWire.encode(none))
    }

    @Test func rowValuesRoundTripAlone() throws {
        let row = Fixtures.transactionRow(42)
        #expect(try SyncWire.decodeValues(SyncWire.encodeValues(row)) == row)
    }

    @Test func everyTruncationIsATruncationError() throws {
        let bytes = SyncWire.encode(Fixtures.batch(rows: 3))
        for length in 0..<bytes.count {
            let error = #expect(throws: TielineError.self) { try SyncWire.decode(Array(bytes.prefix(length))) }
            #expect(error?.code == .wireTruncated, "prefix of \(length) bytes: \(String(describing: error))")
        }
    }

    @Test func badHeadersNameTheProblem() throws {
        var bytes = SyncWire.encode(Fixtures.batch(rows: 1))
        var wrongMagic = bytes
        wrongMagic[0] = UInt8(ascii: "{")
        #expect(throws: TielineError.self) { try SyncWire.decode(wrongMagic) }
        #expect((try? SyncWire.decode(wrongMagic)) == nil)
        #expect(Self.code(wrongMagic) == .wireBadMagic)
        var newer = bytes
        newer[4] = 9
        #expect(Self.code(newer) == .wireUnsupportedVersion)
        bytes.append(0)
        #expect(Self.code(bytes) == .wireMalformed)
    }

    @Test func badValuesAreMalformed() throws {
        let batch = SyncBatch(runID: "r", entity: "E", sequence: 0, columns: ["A"], key: ["A"], dateColumn: nil,
                              upserts: [[.text("ab")]], deletes: [], throughVersion: 0)
        let bytes = SyncWire.encode(batch)
        // The row's value is the last thing before the delete count: tag, length 2, "a", "b", 0.
        let tagAt = bytes.count - 5
        #expect(bytes[tagAt] == 2)
        var badTag = bytes
        badTag[tagAt] = 7
        #expect(Self.code(badTag) == .wireMalformed)
        var badUTF8 = bytes
        badUTF8[tagAt + 2] = 0xFF
        #expect(Self.code(badUTF8) == .wireMalformed)
        var overlong = Array(bytes.prefix(tagAt)) + [1] + Array(repeating: 0xFF, count: 11) + [0]
        #expect(Self.code(overlong) == .wireMalformed)
        overlong = Array(bytes.prefix(tagAt)) + [1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0]
        #expect(Self.code(overlong) == .wireMalformed)
    }

    @Test func hugeCountsDoNotAllocate() throws {
        // A header claiming 2^62 rows must fail on the count, not try to reserve it.
        let batch = SyncBatch(runID: "r", entity: "E", sequence: 0, columns: ["A"], key: ["A"], dateColumn: nil,
                              upserts: [], deletes: [], throughVersion: 0)
        let bytes = Array(SyncWire.encode(batch).dropLast(2)) + [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0]
        #expect(Self.code(bytes) == .wireTruncated)
    }

    /// Random bytes and random corruptions of valid batches: always an error or a batch, never a crash.
    @Test func fuzzNeverCrashes() throws {
        var rng = SplitMix64(seed: 0x7131_11E)
        let valid = SyncWire.encode(Fixtures.batch(rows: 4))
        for round in 0..<3000 {
            var bytes: [UInt8]
            switch round % 3 {
            case 0:
                bytes = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                if round % 2 == 0 { bytes = SyncWire.magic + [SyncWire.version] + bytes }
            case 1:
                bytes = valid
                for _ in 0..<Int.random(in: 1...8, using: &rng) {
                    bytes[Int.random(in: 5..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
            default:
                bytes = Array(valid.prefix(Int.random(in: 0...valid.count, using: &rng)))
                bytes += (0..<Int.random(in: 0...20, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            }
            do {
                let batch = try SyncWire.decode(bytes)
                // Whatever decodes must encode back to the same bytes: the framing has one spelling.
                #expect(SyncWire.encode(batch) == bytes)
            } catch {
                #expect(error.code.rawValue.hasPrefix("wire_"))
                #expect(!error.message.isEmpty)
            }
        }
    }

    static func code(_ bytes: [UInt8]) -> TielineError.Code? {
        do {
            _ = try SyncWire.decode(bytes)
            return nil
        } catch {
            return error.code
        }
    }
}

/// A small deterministic generator, so fuzz failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
