import Foundation
import Hub
import SyncCore
import Testing

@Suite struct BatchTests {
    @Test(arguments: Backend.all) func batchIsAppliedAndAcknowledged(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { h in
            let token = try await h.storage.addSite("Acme")
            #expect(try await h.begin("run-1", token: token).status == 201)
            #expect(try await h.begin("run-1", token: token).status == 200)  // resumed
            let reply = try await h.send(Fixtures.batch(rows: 10), token: token)
            #expect(reply.status == 200)
            let ack = try JSONDecoder().decode(SyncBatchAck.self, from: reply.body)
            #expect(ack == SyncBatchAck(entity: "Transaction (JC)", sequence: 0, applied: 10, duplicate: false))
            let rows = try await h.rows("Transaction (JC)", token: token)
            #expect(rows.count == 10)
            #expect(rows.first?["Description"] as? String == "Concrete pour 0")
            #expect(rows.first?["Amount"] as? Int == -500)
            #expect(rows.first?["Commitment"] is NSNull)

            // Upserts replace by key; deletes remove by key.
            var update = Fixtures.batch(rows: 2, sequence: 1, deletes: [[.integer(1000), .integer(9)]])
            update.upserts[0][9] = .text("changed")
            #expect(try await h.send(update, token: token).status == 200)
            let after = try await h.rows("Transaction (JC)", token: token)
            #expect(after.count == 9)
            #expect(after.first?["Description"] as? String == "changed")
        }
    }

    @Test(arguments: Backend.all) func redeliveredBatchIsNotAppliedTwice(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { h in
            let token = try await h.storage.addSite("Acme")
            _ = try await h.begin("run-1", token: token)
            let batch = Fixtures.batch(rows: 4, deletes: [[.integer(1000), .integer(2)]])
            let first = try JSONDecoder().decode(SyncBatchAck.self, from: try await h.send(batch, token: token).body)
            #expect(first.duplicate == false)
            // Someone re-adds row 2 in between; a redelivery of the old batch must not delete it again.
            #expect(try await h.send(Fixtures.batch(rows: 1, from: 2, sequence: 1), token: token).status == 200)
            let again = try JSONDecoder().decode(SyncBatchAck.self, from: try await h.send(batch, token: token).body)
            #expect(again == SyncBatchAck(entity: batch.entity, sequence: 0, applied: first.applied, duplicate: true))
            #expect(try await h.rows("Transaction (JC)", token: token).count == 4)
            let runs = try await h.call("GET", "/v1/sync/runs", token: token).json as? [[String: Any]]
            let counts = (runs?.first?["entityCounts"] as? [[String: Any]])?.first
            #expect(counts?["batches"] as? Int == 2)
            #expect(counts?["rowsUpserted"] as? Int == 5)
            #expect(try await h.call("GET", "/metrics").text.contains("tieline_hub_batches_duplicate_total 1"))
        }
    }

    @Test(arguments: Backend.all) func malformedBatchesGet400NamingTheProblemAndTheHubStaysUp(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { h in
            let token = try await h.storage.addSite("Acme")
            _ = try await h.begin("run-1", token: token)
            let path = "/v1/sync/runs/run-1/batches"
            let valid = SyncWire.encode(Fixtures.batch(rows: 3))
            let cases: [([UInt8], String)] = [
                (Array(valid.prefix(valid.count - 7)), "wire_truncated"),
                (Array("{\"rows\":[]}".utf8), "wire_bad_magic"),
                (valid + [1, 2, 3], "wire_malformed"),
                ([], "wire_truncated"),
            ]
            for (body, code) in cases {
                let reply = try await h.call("POST", path, token: token, body: body, contentType: SyncWire.contentType)
                #expect(reply.status == 400)
                #expect(reply.errorCode == code)
                #expect(reply.errorMessage?.isEmpty == false)
            }
            var keyless = Fixtures.batch(rows: 1)
            keyless.key = ["Nope"]
            let invalid = try await h.send(keyless, token: token)
            #expect(invalid.status == 400)
            #expect(invalid.errorMessage?.contains("'Nope'") == true)
            var ragged = Fixtures.batch(rows: 2)
            ragged.upserts[1].removeLast()
            #expect(try await h.send(ragged, token: token).errorMessage?.contains("upsert 1 has 30 values") == true)
            let json = try await h.call("POST", path, token: token, body: Array("{}".utf8), contentType: "application/json")
            #expect(json.status == 415)
            let elsewhere = try await h.send(Fixtures.batch(run: "run-2", rows: 1), token: token)
            #expect(elsewhere.status == 404)
            #expect(try await h.call("GET", "/health").status == 200)
            #expect(try await h.rows("Transaction (JC)", token: token).isEmpty)
        }
    }

    @Test(arguments: Backend.all) func oversizedBatchGets413(_ backend: Backend) async throws {
        try await HubHarness.with(backend, maxBatchBytes: 4096) { h in
            let token = try await h.storage.addSite("Acme")
            _ = try await h.begin("run-1", token: token)
            let reply = try await h.send(Fixtures.batch(rows: 200), token: token)
            #expect(reply.status == 413)
            #expect(reply.errorCode == "payload_too_large")
            #expect(try await h.call("GET", "/health").status == 200)
            #expect(try await h.send(Fixtures.batch(rows: 2), token: token).status == 200)
        }
    }

    @Test(arguments: Backend.all) func oversizedJSONGets413(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { h in
            let token = try await h.storage.addSite("Acme")
            let huge = SyncRunStart(runID: "run-1", connection: String(repeating: "x", count: 2 << 20), type: .deep,
                                    timeframe: .beginningOfTime, startDate: nil, entities: [])
            let reply = try await h.json("POST", "/v1/sync/runs", token: token, huge)
            #expect(reply.status == 413)
            #expect(reply.errorCode == "payload_too_large")
            #expect(try await h.call("GET", "/v1/sync/runs", token: token).text == "[]")
        }
    }

    @Test(arguments: Backend.all) func finishedRunTakesNoMoreBatches(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { h in
            let token = try await h.storage.addSite("Acme")
            _ = try await h.begin("run-1", token: token)
            #expect(try await h.send(Fixtures.batch(rows: 1), token: token).status == 200)
            #expect(try await h.json("POST", "/v1/sync/runs/run-1/finish", token: token, ["status": "succeeded"]).status == 200)
            #expect(try await h.send(Fixtures.batch(rows: 1, sequence: 1), token: token).status == 409)
            // A redelivery of what was applied is still acknowledged as a duplicate.
            #expect(try await h.send(Fixtures.batch(rows: 1), token: token).status == 200)
            let runs = try await h.call("GET", "/v1/sync/runs", token: token).json as? [[String: Any]]
            #expect(runs?.first?["status"] as? String == "succeeded")
        }
    }

    /// The agent finishes an interrupted run as `interrupted` and resumes it later under the same id.
    @Test(arguments: Backend.all) func interruptedRunResumesUnderItsOwnID(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { h in
            let token = try await h.storage.addSite("Acme")
            _ = try await h.begin("run-1", token: token)
            #expect(try await h.send(Fixtures.batch(rows: 2), token: token).status == 200)
            #expect(try await h.json("POST", "/v1/sync/runs/run-1/finish", token: token,
                                     ["status": "interrupted", "error": "stopped on request"]).status == 200)
            let reopened = try await h.begin("run-1", token: token)
            #expect(reopened.status == 200)
            #expect((reopened.json as? [String: Any])?["resumed"] as? Bool == true)
            #expect(try await h.send(Fixtures.batch(rows: 2, from: 2, sequence: 1), token: token).status == 200)
            #expect(try await h.send(Fixtures.batch(rows: 2), token: token).status == 200)  // redelivery: duplicate
            let removed = try await h.json("POST", "/v1/sync/runs/run-1/entities/complete", token: token,
                                           EntityCompletion(runID: "run-1", entity: "Transaction (JC)", rowCount: 4))
            #expect((removed.json as? [String: Any])?["removed"] as? Int == 0)
            #expect(try await h.json("POST", "/v1/sync/runs/run-1/finish", token: token, ["status": "completed"]).status == 200)
            let runs = try await h.call("GET", "/v1/sync/runs", token: token).json as? [[String: Any]]
            #expect(runs?.first?["status"] as? String == "completed")
            #expect(runs?.first?["error"] is NSNull || runs?.first?["error"] == nil)
            #expect(try await h.rows("Transaction (JC)", token: token).count == 4)
        }
    }
}
