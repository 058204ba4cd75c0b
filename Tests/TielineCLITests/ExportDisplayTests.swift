import Foundation
import Hub
import Testing
@testable import TielineCLI
import TielineCore

/// What the CLI shows of a PCCO: each line's tax and cost, the site's approval, and a delivery it ignored.
@Suite("exports show, hub exports receive and hub sites procore --hub-approval")
struct ExportDisplayTests {
    /// A home with a hub database holding site `acme`; the request file is Procore's sample, edited by `edit`.
    struct Hub {
        let home: URL
        var db: [String] { ["--database", "sqlite:" + home.appendingPathComponent("hub.sqlite").path] }

        init() async throws {
            home = FileManager.default.temporaryDirectory.appendingPathComponent("export-display-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            let added = await tieline(["hub", "sites", "add", "acme"], home: home)
            #expect(added.status == 0, "\(added.err)")
        }

        func request(_ name: String, _ edit: (String) -> String = { $0 }) throws -> String {
            let url = home.appendingPathComponent(name)
            try Data(edit(DemoFixtures.erpRequest).utf8).write(to: url)
            return url.path
        }

        func receive(_ file: String) async -> CLIResult { await tieline(["hub", "exports", "receive", "acme", "--request", file] + db, home: home) }

        func storage() throws -> SQLiteHubStorage { try SQLiteHubStorage(path: home.appendingPathComponent("hub.sqlite").path) }

        func remove() { try? FileManager.default.removeItem(at: home) }
    }

    static func exportID(_ out: String) throws -> Int64 {
        try #require(out.firstMatch(of: #/Export (\d+):/#).map { Int64($0.1)! }, "\(out)")
    }

    @Test func exportsShowPrintsEachLinesCostAndTaxAndThatTaxIsNotWritten() async throws {
        let hub = try await Hub()
        defer { hub.remove() }
        // The sample with tax on its first line (Procore sends tax_amount beside the line; Sage gets none of it).
        let file = try hub.request("taxed.json") { $0.replacingOccurrences(of: #""extended_amount": "10000.00",\#n        "tax_amount": "0.00""#,
                                                                          with: #""extended_amount": "10000.00",\#n        "tax_amount": "825.00""#) }
        let received = await hub.receive(file)
        #expect(received.status == 0, "\(received.err)")
        let show = await tieline(["exports", "show", String(try Self.exportID(received.out))] + hub.db, home: hub.home)
        #expect(show.status == 0, "\(show.err)")
        let lines = show.out.split(separator: "\n").map(String.init)
        #expect(lines.contains("    line 1 (id 88001, Storm drain trench and pipe)  item 100  amount 11500.00  (cost 10000.00 on 02-200 / S, tax 825.00 (not written))"),
                "\(show.out)")
        #expect(lines.contains("       markup Overhead and profit  1500.00 on 01-900 / O  (included in the amount)"), "\(show.out)")
        #expect(lines.contains("    line 2 (id 88002, Catch basin)  item 200  amount 1000.00  (cost 1000.00 on 03-300 / M, tax 0.00 (not written))"),
                "\(show.out)")
        // The total is the lines' amounts; tax is never added to it.
        #expect(lines.contains("  Amount:           12500.00"), "\(show.out)")
    }

    @Test func hubApprovalIsStoredOnlyWithTheFlagAndPrintedAsTheSitesStory() async throws {
        let hub = try await Hub()
        defer { hub.remove() }
        let link = ["hub", "sites", "procore", "acme", "--base-url", "https://api.procore.com", "--company-id", "4201",
                    "--client-id", "abc", "--client-secret", "s3cret"]
        let plain = await tieline(link + hub.db, home: hub.home)
        #expect(plain.status == 0, "\(plain.err)")
        #expect(plain.out.contains("PCCOs approved in Procore go straight to the agent once they validate"), "\(plain.out)")
        let storage = try hub.storage()
        var stored = try #require(try await storage.linkedSites().first?.link)
        #expect(stored.hubApproval != true)
        #expect(!stored.needsHubAccept)

        let withFlag = await tieline(link + ["--hub-approval"] + hub.db, home: hub.home)
        #expect(withFlag.status == 0, "\(withFlag.err)")
        #expect(withFlag.out.contains("PCCOs wait as Ready to Export for an approver's Accept in the hub"), "\(withFlag.out)")
        stored = try #require(try await storage.linkedSites().first?.link)
        #expect(stored.hubApproval == true)
        #expect(stored.needsHubAccept)
        #expect(stored.style == .erpRequests)
    }

    /// Procore sends a PCCO again after it was Synced: the delivery is ignored, said so, and a changed payload is kept as drift.
    @Test func aDeliveryOfASyncedPCCOSaysItWasIgnoredAndShowsTheDrift() async throws {
        let hub = try await Hub()
        defer { hub.remove() }
        let first = await hub.receive(try hub.request("first.json"))
        let id = try Self.exportID(first.out)
        let storage = try hub.storage()
        let site = try #require(try await storage.sites().first)
        // As if the agent wrote it and Procore was told.
        _ = try await storage.updateExport(id: id, site: site) { record in
            record.status = .synced
            record.problems = []
            return nil
        }

        let same = await hub.receive(try hub.request("same.json"))
        #expect(same.status == 0, "\(same.err)")
        #expect(same.out == "Export \(id): PCCO 007 is already Synced; this delivery was ignored\n")

        let changed = await hub.receive(try hub.request("changed.json") {
            $0.replacingOccurrences(of: #""amount": "1000.00",\#n        "extended_amount": "1000.00""#,
                                    with: #""amount": "1200.00",\#n        "extended_amount": "1200.00""#)
        })
        #expect(changed.status == 0, "\(changed.err)")
        #expect(changed.out.contains("Export \(id): PCCO 007 is already Synced; this delivery was ignored (it differs from what was exported: "),
                "\(changed.out)")
        #expect(changed.out.contains("line 2 (id 88002, Catch basin): amount 1000.00 → 1200.00"), "\(changed.out)")
        #expect(!changed.out.contains("validation problem"), "\(changed.out)")

        let show = await tieline(["exports", "show", String(id)] + hub.db, home: hub.home)
        let lines = show.out.split(separator: "\n").map(String.init)
        #expect(lines.contains("  Status:           Synced"), "\(show.out)")
        #expect(lines.contains("  Sent again by Procore after it was exported (ignored; Sage keeps what was written):"), "\(show.out)")
        #expect(lines.contains("    - line 2 (id 88002, Catch basin): amount 1000.00 → 1200.00"), "\(show.out)")
        // What was exported is what is shown: the ignored delivery changed nothing.
        #expect(lines.contains("  Amount:           12500.00"), "\(show.out)")
    }
}
