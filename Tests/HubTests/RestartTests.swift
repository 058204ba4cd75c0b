import Foundation
import Hub
import SyncCore
import Testing

@Suite struct RestartTests {
    @Test(arguments: Backend.all) func restartedHubKeepsSitesMirrorAndRuns(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { h in
            let token = try await h.storage.addSite("Acme")
            _ = try await h.begin("run-1", token: token)
            _ = try await h.send(Fixtures.batch(rows: 5), token: token)
            try await h.restart()
            #expect(h.hub.port != 0)
            #expect(try await h.call("GET", "/v1/site", token: token).status == 200)
            #expect(try await h.rows("Transaction (JC)", token: token).count == 5)
            // The run is still open: a redelivery is recognised, the next batch applies.
            let again = try JSONDecoder().decode(SyncBatchAck.self, from: try await h.send(Fixtures.batch(rows: 5), token: token).body)
            #expect(again.duplicate)
            #expect(try await h.send(Fixtures.batch(rows: 1, from: 5, sequence: 1), token: token).status == 200)
            #expect(try await h.json("POST", "/v1/sync/runs/run-1/finish", token: token, ["status": "succeeded"]).status == 200)
            try await h.restart()
            let runs = try await h.call("GET", "/v1/sync/runs", token: token).json as? [[String: Any]]
            #expect(runs?.first?["status"] as? String == "succeeded")
            #expect(try await h.storage.sites().map(\.name) == ["Acme"])
        }
    }
}
