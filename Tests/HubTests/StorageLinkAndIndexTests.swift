import Foundation
import Hub
import SyncCore
import Testing
import TielineCore

/// Procore links, sites, the cost-code index and mirror lookups as `HubStorage` promises them, on every backend.
@Suite struct StorageLinkAndIndexTests {
    @Test(arguments: Backend.all) func procoreLinksKeepTheCursorForTheSameCompany(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, _ in
            let unknown = await #expect(throws: TielineError.self) {
                try await storage.linkProcore(StorageFixtures.link(company: 1), site: "Nobody")
            }
            #expect(unknown?.code == .notFound)
            #expect(unknown?.message == "no site named 'Nobody'; add one with: tieline hub sites add Nobody")
            let site = try await StorageFixtures.siteWithRun(storage)
            #expect(try await storage.procoreLink(site: site) == nil)
            let unlinked = await #expect(throws: TielineError.self) {
                try await storage.recordPoll(cursor: "9", error: nil, at: StorageFixtures.now, site: site)
            }
            #expect(unlinked?.code == .notFound)

            try await storage.linkProcore(StorageFixtures.link(company: 1, webhook: "hash-1"), site: "Acme")
            try await storage.recordPoll(cursor: "42", error: nil, at: StorageFixtures.now, site: site)
            try await storage.recordPoll(cursor: nil, error: "HTTP 503", at: StorageFixtures.now.addingTimeInterval(60), site: site)
            var link = try #require(try await storage.procoreLink(site: site))
            #expect(link.cursor == "42" && link.lastPollError == "HTTP 503" && link.lastPollAt == StorageFixtures.now.addingTimeInterval(60))

            // A new secret for the same company keeps the cursor; another company starts over.
            try await storage.linkProcore(StorageFixtures.link(company: 1), site: "Acme")
            link = try #require(try await storage.procoreLink(site: site))
            #expect(link.cursor == "42" && link.webhookTokenHash == nil)
            try await storage.linkProcore(StorageFixtures.link(company: 2, webhook: "hash-2"), site: "Acme")
            #expect(try await storage.procoreLink(site: site)?.cursor == nil)
            #expect(try await storage.site(forWebhookTokenHash: "hash-2")?.name == "Acme")
            #expect(try await storage.site(forWebhookTokenHash: "hash-1") == nil)
            #expect(try await storage.linkedSites().map { "\($0.site.name) \($0.link.companyID)" } == ["Acme 2"])
        }
    }

    @Test(arguments: Backend.all) func unlinkingRemovesTheLinkAndItsWebhookToken(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, _ in
            let site = try await StorageFixtures.siteWithRun(storage)
            _ = try await storage.addSite("Beta")
            try await storage.linkProcore(StorageFixtures.link(company: 1, webhook: "hash-1"), site: "Acme")
            try await storage.linkProcore(StorageFixtures.link(company: 2, webhook: "hash-2"), site: "Beta")
            #expect(try await storage.unlinkProcore(site: "Acme"))
            #expect(try await storage.procoreLink(site: site) == nil)
            #expect(try await storage.site(forWebhookTokenHash: "hash-1") == nil)
            #expect(try await storage.linkedSites().map(\.site.name) == ["Beta"], "the other site keeps its link")
            #expect(try await storage.site(forWebhookTokenHash: "hash-2")?.name == "Beta")
            #expect(try await !storage.unlinkProcore(site: "Acme"), "unlinking twice changes nothing")
            let unknown = await #expect(throws: TielineError.self) { try await storage.unlinkProcore(site: "Nobody") }
            #expect(unknown?.code == .notFound)
        }
    }

    @Test(arguments: Backend.all) func sitesRefuseDuplicatesAndNameTheKnownOnes(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, _ in
            _ = try await storage.addSite("Zeta Co")
            _ = try await storage.addSite("  Acme  ")
            let duplicate = await #expect(throws: TielineError.self) { try await storage.addSite("Acme") }
            #expect(duplicate?.code == .conflict)
            #expect(duplicate?.message == "a site named 'Acme' already exists; issue it a new token with: tieline hub sites token Acme")
            let blank = await #expect(throws: TielineError.self) { try await storage.addSite("  ") }
            #expect(blank?.code == .invalidInput)
            let missing = await #expect(throws: TielineError.self) { try await storage.rotateToken(site: "Nope") }
            #expect(missing?.message == "no site named 'Nope'; known sites: Acme, Zeta Co")
            #expect(try await storage.sites().map(\.name) == ["Acme", "Zeta Co"])
            #expect(try await storage.sites().map(\.activeTokens) == [1, 1])
        }
    }

    @Test(arguments: Backend.all) func costCodeIndexAndMirrorLookups(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, _ in
            let site = try await StorageFixtures.siteWithRun(storage)
            _ = try await storage.applyBatch(Fixtures.batch(rows: 3), site: site)
            #expect(try await storage.costCodeExists(job: "24-118", costCode: "01-100", category: "L", site: site))
            #expect(try await storage.costCodeExists(job: "24-118", costCode: "01-100", category: nil, site: site))
            #expect(try await !storage.costCodeExists(job: "24-118", costCode: "01-100", category: "M", site: site))
            #expect(try await !storage.costCodeExists(job: "24-119", costCode: "01-100", category: nil, site: site))
            // Integer key values match their text form.
            #expect(try await storage.mirrorRowExists(entity: "Transaction (JC)", key: ["1000", "2"], site: site))
            #expect(try await !storage.mirrorRowExists(entity: "Transaction (JC)", key: ["1000", "3"], site: site))
            #expect(try await !storage.mirrorRowExists(entity: "Transaction (JC)", key: ["1000"], site: site))
            // Deletes leave the index alone: a cost code outlives its transactions in Sage.
            _ = try await storage.applyBatch(Fixtures.batch(rows: 0, sequence: 1, deletes: (0..<3).map { [.integer(1000), .integer(Int64($0))] }), site: site)
            #expect(try await !storage.mirrorRowExists(entity: "Transaction (JC)", key: ["1000", "2"], site: site))
            #expect(try await storage.costCodeExists(job: "24-118", costCode: "01-100", category: "L", site: site))
            // Another site's identical rows index its own cost codes (PostgreSQL skips only what it stored for that site).
            _ = try await storage.addSite("Other Co")
            let other = try #require(try await storage.sites().first { $0.name == "Other Co" })
            _ = try await storage.beginRun(SyncRunStart(runID: "run-1", connection: "Main", type: .deep, timeframe: .beginningOfTime,
                                                        startDate: nil, entities: []), site: other)
            #expect(try await !storage.costCodeExists(job: "24-118", costCode: "01-100", category: "L", site: other))
            _ = try await storage.applyBatch(Fixtures.batch(rows: 3), site: other)
            #expect(try await storage.costCodeExists(job: "24-118", costCode: "01-100", category: "L", site: other))
        }
    }

    @Test(arguments: Backend.all) func aKeyRepeatedInOneBatchKeepsItsLastRow(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, _ in
            let site = try await StorageFixtures.siteWithRun(storage)
            var batch = Fixtures.batch(rows: 2)
            var again = Fixtures.transactionRow(0)
            again[9] = .text("second version")
            batch.upserts.append(again)
            let ack = try await storage.applyBatch(batch, site: site)
            #expect(ack == SyncBatchAck(entity: "Transaction (JC)", sequence: 0, applied: 3, duplicate: false))
            let page = try await storage.mirrorRows(entity: "Transaction (JC)", key: [], page: 1, perPage: 10, site: site)
            #expect(page.total == 2)
            #expect(page.rows.first?.first { $0.0 == "Description" }?.1 == .text("second version"))
            #expect(try await storage.runs(site: site, limit: 5).first?.entityCounts.first?.rowsUpserted == 3)
        }
    }

    @Test(arguments: Backend.all) func keysWithSeparatorsSortAndFilterByteWise(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, _ in
            let site = try await StorageFixtures.siteWithRun(storage)
            let contracts = ["a", "B", "b", "a\u{1F}x", "a\u{1B}", "a b", "Z", "é"]
            let batch = SyncBatch(runID: "run-1", entity: "Contract Item (CN)", sequence: 0, columns: ["Contract", "Item"], key: ["Contract", "Item"],
                                  dateColumn: nil, upserts: contracts.map { [.text($0), .text("1")] } + [[.text("a"), .text("2")]],
                                  deletes: [], throughVersion: 1)
            _ = try await storage.applyBatch(batch, site: site)
            let all = try await storage.mirrorRows(entity: "Contract Item (CN)", key: [], page: 1, perPage: 50, site: site)
            let order = all.rows.map { row in row.map { pair in MirrorKeyText.text(pair.1) }.joined(separator: "|") }
            // Byte order of the encoded keys, as SQLite sorts: uppercase first, escaped ESC and US (ESC ESC, ESC _) before
            // the separator (US), which comes before a space.
            #expect(order == ["B|1", "Z|1", "a\u{1B}|1", "a\u{1F}x|1", "a|1", "a|2", "a b|1", "b|1", "é|1"])
            let prefix = try await storage.mirrorRows(entity: "Contract Item (CN)", key: ["a"], page: 1, perPage: 50, site: site)
            #expect(prefix.total == 2)
            #expect(prefix.rows.map { MirrorKeyText.text($0[1].1) } == ["1", "2"])
            let exact = try await storage.mirrorRows(entity: "Contract Item (CN)", key: ["a\u{1F}x", "1"], page: 1, perPage: 50, site: site)
            #expect(exact.total == 1)
        }
    }
}

/// Mirror values as plain text for comparisons.
enum MirrorKeyText {
    static func text(_ value: SyncValue) -> String {
        switch value {
        case .null: "null"
        case .integer(let n): String(n)
        case .text(let s): s
        }
    }
}
