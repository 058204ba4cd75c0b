import Agent
import Foundation
import GRDB
import Hub
import Logging
import SageStore
import Testing
import TielineCore

/// #15's tester: a job with an approved contract, two items and a markup cost code from a JSON file,
/// a PCCO exported onto it and posted — with the commands docs/company-file.md lists, on its example files.
@Suite("A company from a JSON file, a PCCO onto it, posted", .timeLimit(.minutes(5)))
struct CompanyFileFlowTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/examples")

    @Test func theDocumentedFlowWritesAndPostsTheRightMoney() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("company-file-flow-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let company = home.appendingPathComponent("harbor.sqlite").path
        let hubDB = "sqlite:" + home.appendingPathComponent("hub.sqlite").path

        let created = await tieline(["sample-company", "create", "--from", Self.examples.appendingPathComponent("company.json").path,
                                     "--path", company], home: home)
        #expect(created.status == 0, "\(created.err)")
        #expect(created.out.contains("CNC_ACTIVE__CONTRACT_ITEM"))

        // The hub (`tieline hub serve` in the docs), its site, and the agent set up as the setup guide says.
        let added = await tieline(["hub", "sites", "add", "harbor", "--database", hubDB], home: home)
        #expect(added.out.contains("to \(home.appendingPathComponent("hub.sqlite").path)"), "\(added.out)")
        let token = try #require(added.out.split(separator: "\n").last.map(String.init))
        let storage = try SQLiteHubStorage(path: home.appendingPathComponent("hub.sqlite").path)
        let hub = try await HubServer.start(storage: storage, port: 0, configuration: HubConfiguration(procore: false), logger: Self.quiet)
        var agent: Task<Void, Never>?
        do {
            for args in [["connect", "--hub", hub.baseURL, "--site", "harbor", "--token", token],
                         ["connections", "add", "Harbor", "--sage", company],
                         ["mappings", "preset", "pcco-export", "--connection", "Harbor"],
                         ["sync", "settings", "--connection", "Harbor", "--type", "deep", "--timeframe", "beginning-of-time"],
                         ["sync", "run", "--connection", "Harbor"]] {
                let result = await tieline(args, home: home)
                #expect(result.status == 0, "\(args.joined(separator: " ")): \(result.err)")
            }
            // `tieline agent run` checks and writes PCCOs; its export worker, in-process here.
            let worker = ExportWorker(home: TielineHome(url: home), wait: 2, logger: Self.quiet)
            agent = Task { await worker.run(until: StopSignal()) }
            // Procore's ERP request for a PCCO on job 25-310, queued by hand. The markup's cost code has no
            // JC history yet, so the mirror cannot vouch for it: Sage is asked, then it is Ready to Export.
            let received = await tieline(["hub", "exports", "receive", "harbor", "--request",
                                          Self.examples.appendingPathComponent("pcco-request.json").path, "--database", hubDB], home: home)
            #expect(received.out.contains("PCCO 001 \"Extra mooring steel\""), "\(received.out)\(received.err)")
            let id = try #require(received.out.firstMatch(of: #/Export (\d+):/#).map { Int64($0.1)! })
            let site = try #require(try await storage.sites().first)
            #expect(try await Self.wait(for: id, [.ready, .failed], storage: storage, site: site) == .ready)
            let accepted = await tieline(["exports", "accept", String(id), "--database", hubDB], home: home)
            #expect(accepted.status == 0, "\(accepted.err)")
            #expect(try await Self.wait(for: id, [.synced, .failed], storage: storage, site: site) == .synced)
        } catch {
            agent?.cancel()
            try? await hub.shutdown()
            throw error
        }
        agent?.cancel()
        try await hub.shutdown()

        let posted = await tieline(["sage", "post-entries", "--path", company], home: home)
        #expect(posted.status == 0, "\(posted.err)")
        #expect(posted.out.contains("Posted 5 entries of batch PROCORE as JC run 1"), "\(posted.out)")
        let sage = try SageCompany.open(at: company)
        try sage.read { (db: Database) throws -> Void in
            // Revenue: the lines' amounts (markups inside them); cost: extended amounts plus markups on their destination.
            #expect(try Int64.fetchOne(db, sql: "SELECT Revised_Amount FROM CNC_ACTIVE__CONTRACT WHERE Contract = '25-310'") == 105_750_000)
            #expect(try Int64.fetchOne(db, sql: "SELECT Revised_Contract_Amount FROM JCM_MASTER__JOB WHERE Job = '25-310'") == 105_750_000)
            #expect(try Int64.fetchOne(db, sql: "SELECT Revised_Scheduled_Value FROM CNC_ACTIVE__CONTRACT_ITEM WHERE Item = '200'") == 80_300_000)
            let estimates = try Row.fetchAll(db, sql: "SELECT Cost_Code, Category, Approved_Estimate_Changes FROM JCM_MASTER__CATEGORY WHERE Approved_Estimate_Changes <> 0 ORDER BY Cost_Code")
                .map { "\($0["Cost_Code"] as String)/\($0["Category"] as String) \($0["Approved_Estimate_Changes"] as Int64)" }
            #expect(estimates == ["01-900/O 300000", "02-200/S 450000", "05-100/M 2000000"])
        }
        let again = await tieline(["sage", "post-entries", "--path", company], home: home)
        #expect(again.out.contains("Nothing to post"))
    }

    static func wait(for id: Int64, _ statuses: Set<ExportStatus>, storage: SQLiteHubStorage, site: HubSite) async throws -> ExportStatus? {
        let deadline = ContinuousClock.now + .seconds(30)
        var status = try await storage.export(id: id, site: site)?.status
        while let current = status, !statuses.contains(current), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            status = try await storage.export(id: id, site: site)?.status
        }
        return status
    }

    static var quiet: Logger {
        var logger = Logger(label: "company-file-flow")
        logger.logLevel = .critical
        return logger
    }
}
