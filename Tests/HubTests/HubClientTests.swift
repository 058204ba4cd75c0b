import Agent
import Foundation
import Hub
import SyncCore
import Testing
import TielineCore

@Suite struct HubClientTests {
    @Test(arguments: Backend.all) func clientRoundTripsARunAgainstALiveHub(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { h in
            let token = try await h.storage.addSite("Acme")
            let client = HubClient(url: h.hub.baseURL + "/", token: token)
            #expect(try await client.site() == "Acme")
            let start = SyncRunStart(runID: "run-9", connection: "Main", type: .deep, timeframe: .beginningOfTime,
                                     startDate: nil, entities: ["Transaction (JC)"])
            try await client.beginRun(start)
            try await client.beginRun(start)  // resume
            let ack = try await client.send(Fixtures.batch(run: "run-9", rows: 20))
            #expect(ack == SyncBatchAck(entity: "Transaction (JC)", sequence: 0, applied: 20, duplicate: false))
            #expect(try await client.send(Fixtures.batch(run: "run-9", rows: 20)).duplicate)
            try await client.completeEntity(EntityCompletion(runID: "run-9", entity: "Transaction (JC)", rowCount: 20))
            try await client.finishRun(runID: "run-9", status: "succeeded", error: nil)
            #expect(try await h.rows("Transaction (JC)", token: token).count == 20)
        }
    }

    @Test(arguments: Backend.all) func clientReportsTheHubsErrorCodes(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { h in
            _ = try await h.storage.addSite("Acme")
            let error = await #expect(throws: TielineError.self) {
                try await HubClient(url: h.hub.baseURL, token: "tl_wrong").site()
            }
            #expect(error?.code.rawValue == "unauthorized")
            let down = await #expect(throws: TielineError.self) {
                try await HubClient(url: "http://127.0.0.1:1", token: "tl_x", timeout: .seconds(1)).site()
            }
            #expect(down?.code == .hubTransport)
        }
    }
}
