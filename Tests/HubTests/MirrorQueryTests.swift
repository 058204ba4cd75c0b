import Foundation
import Hub
import SyncCore
import Testing

@Suite struct MirrorQueryTests {
    @Test(arguments: Backend.all) func pagesLikeProcoreAndFiltersByKey(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { h in
            let token = try await h.storage.addSite("Acme")
            _ = try await h.begin("run-1", token: token)
            let items = SyncBatch(runID: "run-1", entity: "Contract Item (CN)", sequence: 0, columns: ["Contract", "Item", "Amount"],
                                  key: ["Contract", "Item"], dateColumn: nil,
                                  upserts: [[.text("24-118"), .text("100"), .integer(5)], [.text("24-118"), .text("200"), .integer(6)],
                                            [.text("24-1180"), .text("100"), .integer(7)], [.text("25-001"), .text("100"), .integer(8)]],
                                  deletes: [], throughVersion: 1)
            #expect(try await h.send(items, token: token).status == 200)

            let page1 = try await h.mirror("Contract Item (CN)", token: token, query: "page=1&per_page=3")
            #expect(page1.headers["total"] == "4")
            #expect((page1.json as? [Any])?.count == 3)
            #expect(page1.headers["link"]?.contains("page=2&per_page=3>; rel=\"next\"") == true)
            let page2 = try await h.mirror("Contract Item (CN)", token: token, query: "page=2&per_page=3")
            #expect((page2.json as? [[String: Any]])?.first?["Contract"] as? String == "25-001")

            let one = try await h.rows("Contract Item (CN)", token: token, query: "key=24-118&key=100")
            #expect(one.count == 1)
            #expect(one.first?["Amount"] as? Int == 5)
            // A leading part of the key: every item of contract 24-118, not 24-1180's.
            let contract = try await h.rows("Contract Item (CN)", token: token, query: "key=24-118")
            #expect(contract.compactMap { $0["Item"] as? String } == ["100", "200"])
            // Names are resolved as the CLI resolves them.
            #expect(try await h.rows("contract item", token: token).count == 4)
            #expect(try await h.mirror("Contract Item (CN)", token: token, query: "per_page=5000").status == 400)
        }
    }
}
