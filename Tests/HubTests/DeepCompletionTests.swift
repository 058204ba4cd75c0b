import Foundation
import Hub
import SyncCore
import Testing

@Suite struct DeepCompletionTests {
    func complete(_ h: HubHarness, _ run: String, _ entity: String, token: String) async throws -> Int? {
        let reply = try await h.json("POST", "/v1/sync/runs/\(run)/entities/complete", token: token,
                                     EntityCompletion(runID: run, entity: entity, rowCount: 0))
        return (reply.json as? [String: Any])?["removed"] as? Int
    }

    func sequences(_ h: HubHarness, token: String) async throws -> [Int] {
        try await h.rows("Transaction (JC)", token: token).compactMap { $0["Sequence"] as? Int }.sorted()
    }

    @Test(arguments: Backend.all) func removesOnlyUnsentRowsInsideTheTimeframe(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { h in
            let token = try await h.storage.addSite("Acme")
            _ = try await h.begin("full", token: token)
            _ = try await h.send(Fixtures.batch(run: "full", rows: 3, from: 0, date: "2025-01-10"), token: token)      // old: 0,1,2
            _ = try await h.send(Fixtures.batch(run: "full", rows: 3, from: 10, sequence: 1, date: "2025-04-01"), token: token) // new: 10,11,12
            _ = try await h.send(Fixtures.customers(run: "full", ["C1", "C2", "C3"]), token: token)

            // A Deep run since 2025-03-01 that no longer finds 12 (deleted in Sage) nor customer C3.
            _ = try await h.begin("since-march", token: token, startDate: "2025-03-01")
            _ = try await h.send(Fixtures.batch(run: "since-march", rows: 2, from: 10, date: "2025-04-01"), token: token)
            _ = try await h.send(Fixtures.customers(run: "since-march", ["C1", "C2"]), token: token)
            #expect(try await complete(h, "since-march", "Transaction (JC)", token: token) == 1)
            #expect(try await complete(h, "since-march", "Customer", token: token) == 1)
            // Rows before the start date are outside the timeframe and stay.
            #expect(try await sequences(h, token: token) == [0, 1, 2, 10, 11])
            #expect(try await h.rows("Customer", token: token).compactMap { $0["Customer"] as? String } == ["C1", "C2"])

            // From the beginning of time, anything not sent goes.
            _ = try await h.begin("everything", token: token)
            _ = try await h.send(Fixtures.batch(run: "everything", rows: 1, from: 1, date: "2025-01-10"), token: token)
            #expect(try await complete(h, "everything", "Transaction (JC)", token: token) == 4)
            #expect(try await sequences(h, token: token) == [1])
            #expect(try await h.call("GET", "/metrics").text.contains("tieline_hub_rows_removed_total 6"))
        }
    }

    @Test(arguments: Backend.all) func incrementalCompletionRemovesNothing(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { h in
            let token = try await h.storage.addSite("Acme")
            _ = try await h.begin("full", token: token)
            _ = try await h.send(Fixtures.batch(run: "full", rows: 3), token: token)
            _ = try await h.begin("inc", token: token, type: .incremental)
            _ = try await h.send(Fixtures.batch(run: "inc", rows: 1), token: token)
            #expect(try await complete(h, "inc", "Transaction (JC)", token: token) == 0)
            #expect(try await sequences(h, token: token) == [0, 1, 2])
        }
    }

    @Test(arguments: Backend.all) func entityWithNoBatchInTheRunIsEmptiedWhenSageHasNone(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { h in
            let token = try await h.storage.addSite("Acme")
            _ = try await h.begin("full", token: token)
            _ = try await h.send(Fixtures.batch(run: "full", rows: 2, date: "2025-01-10"), token: token)
            _ = try await h.send(Fixtures.batch(run: "full", rows: 2, from: 5, sequence: 1, date: "2025-06-01"), token: token)
            // Nothing sent at all: the catalog says Transaction (JC) cuts on Accounting_Date.
            _ = try await h.begin("empty", token: token, startDate: "2025-03-01")
            #expect(try await complete(h, "empty", "Transaction (JC)", token: token) == 2)
            #expect(try await sequences(h, token: token) == [0, 1])
        }
    }
}
