import Foundation
import SyncCore
import Testing
import TielineCore

/// The wire decoder's bound on values per batch (`SyncWire.maxValues`, #17 point 4): a batch of few
/// rows but very many values must be refused while decoding, not held in memory.
@Suite struct WireValueLimitTests {
    /// `rows` rows of 1,000 null values each: 1 byte a value on the wire, far more once decoded.
    static func wideBatch(rows: Int) -> SyncBatch {
        let columns = ["Customer"] + (1..<1000).map { "Column_\($0)" }
        return SyncBatch(runID: "run-1", entity: "Customer", sequence: 0, columns: columns, key: ["Customer"], dateColumn: nil,
                         upserts: Array(repeating: Array(repeating: SyncValue.null, count: columns.count), count: rows),
                         deletes: [], throughVersion: 1)
    }

    @Test func exactlyMaxValuesDecodesAndOneRowMoreIsWireTooLarge() throws {
        let atLimit = Self.wideBatch(rows: SyncWire.maxValues / 1000)
        #expect(try SyncWire.decode(SyncWire.encode(atLimit)).upserts.count == SyncWire.maxValues / 1000)
        let over = Self.wideBatch(rows: SyncWire.maxValues / 1000 + 1)
        #expect(over.upserts.count <= SyncWire.maxRows, "refused for its values, not its rows")
        let error = #expect(throws: TielineError.self) { try SyncWire.decode(SyncWire.encode(over)) }
        #expect(error?.code == .wireTooLarge)
        #expect(error?.message.contains("more than \(SyncWire.maxValues) values") == true, "\(error?.message ?? "")")
    }

    @Test func theHubAnswersWireTooLargeForABatchOfTooManyValues() async throws {
        try await HubHarness.with(.sqlite) { h in
            let token = try await h.storage.addSite("Acme")
            _ = try await h.begin("run-1", token: token)
            let reply = try await h.send(Self.wideBatch(rows: SyncWire.maxValues / 1000 + 1), token: token)
            #expect(reply.status == 413)
            #expect(reply.errorCode == "wire_too_large", "\(reply.text)")
            #expect(try await h.rows("Customer", token: token).isEmpty)
        }
    }
}
