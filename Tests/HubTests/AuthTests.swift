import Foundation
import Hub
import SyncCore
import Testing

@Suite struct AuthTests {
    @Test(arguments: Backend.all) func siteAnswersForAValidToken(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { h in
            let token = try await h.storage.addSite("Acme Builders")
            #expect(token.hasPrefix("tl_") && token.count >= 40)
            let reply = try await h.call("GET", "/v1/site", token: token)
            #expect(reply.status == 200)
            #expect((reply.json as? [String: String])?["site"] == "Acme Builders")
        }
    }

    @Test(arguments: Backend.all) func missingWrongAndRevokedTokensGet401AndWriteNothing(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { h in
            let token = try await h.storage.addSite("Acme")
            let missing = try await h.call("GET", "/v1/site")
            #expect(missing.status == 401)
            #expect(missing.errorCode == "unauthorized")
            #expect(missing.errorMessage?.contains("Authorization") == true)
            let wrong = try await h.call("GET", "/v1/site", token: "tl_" + String(repeating: "A", count: 43))
            #expect(wrong.status == 401)
            #expect(wrong.errorMessage?.contains("not valid") == true)
            #expect(try await h.call("GET", "/v1/site", token: "garbage").status == 401)

            // A batch with a bad token is refused before anything is read or written.
            #expect(try await h.begin("run-1", token: token).status == 201)
            #expect(try await h.send(Fixtures.batch(rows: 3), token: "tl_nope").status == 401)
            #expect(try await h.send(Fixtures.batch(rows: 3), token: nil).status == 401)
            #expect(try await h.rows("Transaction (JC)", token: token).isEmpty)

            try await h.storage.revokeTokens(site: "Acme")
            let revoked = try await h.call("GET", "/v1/site", token: token)
            #expect(revoked.status == 401)
            #expect(revoked.errorCode == "unauthorized")
            let fresh = try await h.storage.rotateToken(site: "Acme")
            #expect(try await h.call("GET", "/v1/site", token: fresh).status == 200)
            #expect(try await h.call("GET", "/v1/site", token: token).status == 401)
        }
    }

    @Test(arguments: Backend.all) func storedTokensAreOnlyHashes(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { h in
            let token = try await h.storage.addSite("Acme")
            let hash = SiteToken.hash(token)
            switch h.database.database {
            case .sqlite(let path):
                let file = try Data(contentsOf: URL(fileURLWithPath: path))
                let wal = (try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data()
                #expect(file.range(of: Data(token.utf8)) == nil)
                #expect(wal.range(of: Data(token.utf8)) == nil)
                #expect(wal.range(of: Data(hash.utf8)) != nil || file.range(of: Data(hash.utf8)) != nil)
            case .postgres:
                // Every text the hub stored about its sites, as PostgreSQL renders whole rows.
                let stored = try await h.database.postgres { db in
                    var text = ""
                    for table in ["site", "site_token"] {
                        for try await row in try await db.query("SELECT t::text FROM \(unescaped: table) t", logger: TestDatabase.quietLogger).decode(String.self) {
                            text += row
                        }
                    }
                    return text
                }
                #expect(!stored.contains(token))
                #expect(stored.contains(hash))
            }
        }
    }

    @Test(arguments: Backend.all) func oneSitesTokenNeverReachesAnothersData(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { h in
            let acme = try await h.storage.addSite("Acme")
            let other = try await h.storage.addSite("Other Co")
            #expect(try await h.begin("run-a", token: acme).status == 201)
            #expect(try await h.send(Fixtures.batch(run: "run-a", rows: 5), token: acme).status == 200)

            #expect(try await h.rows("Transaction (JC)", token: other).isEmpty)
            #expect(try await h.mirror("Transaction (JC)", token: other).headers["total"] == "0")
            let runs = try await h.call("GET", "/v1/sync/runs", token: other)
            #expect((runs.json as? [Any])?.isEmpty == true)
            // Acme's run id is unknown to Other Co: 404, and nothing lands in either mirror.
            let foreign = try await h.send(Fixtures.batch(run: "run-a", rows: 2, from: 100, sequence: 1), token: other)
            #expect(foreign.status == 404)
            #expect(try await h.json("POST", "/v1/sync/runs/run-a/entities/complete", token: other,
                                     EntityCompletion(runID: "run-a", entity: "Transaction (JC)", rowCount: 0)).status == 404)
            #expect(try await h.json("POST", "/v1/sync/runs/run-a/finish", token: other, ["status": "failed"]).status == 404)
            #expect(try await h.rows("Transaction (JC)", token: acme).count == 5)
            // The same run id is free for the other site and stays separate.
            #expect(try await h.begin("run-a", token: other).status == 201)
            #expect(try await h.rows("Transaction (JC)", token: other).isEmpty)
        }
    }
}
