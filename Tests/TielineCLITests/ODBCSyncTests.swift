@testable import Agent
import Foundation
import GRDB
import Hub
import SageStore
import SyncCore
import Testing
import TielineCore

/// A company read through a real ODBC driver (unixODBC + Debian's SQLite ODBC driver, installed by
/// scripts/test) gives the hub the same mirror, row for row, as the embedded reader.
@Suite("Reading Sage through ODBC", .serialized, .timeLimit(.minutes(5)))
struct ODBCSyncTests {
    /// Every mirrored row of every non-PJ entity of `site`, as sortable text.
    static func mirror(_ storage: SQLiteHubStorage, site: HubSite) async throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for entity in EntityCatalog.all where entity.requiresModule != .pj {
            var rows: [String] = []
            var page = 1
            while true {
                let result = try await storage.mirrorRows(entity: entity.name, key: [], page: page, perPage: 2000, site: site)
                rows += result.rows.map { $0.map { "\($0.0)=\($0.1)" }.joined(separator: "|") }
                if rows.count >= result.total || result.rows.isEmpty { break }
                page += 1
            }
            out[entity.name] = rows.sorted()
        }
        return out
    }

    /// Two sites on one hub: `embedded` synced by an agent reading `company` itself, `odbc` by one reading `odbcDatabase` through ODBC.
    struct Pair {
        let storage: SQLiteHubStorage
        let homes: [String: URL]
        let embedded: HubSite
        let odbc: HubSite

        /// A sync of both agents.
        func sync(_ extra: [String] = [], batch: Int = 10_000) async throws {
            for agentHome in homes.values {
                let result = await tieline(["sync", "run", "--connection", "Company", "--batch-size", String(batch)] + extra, home: agentHome)
                try #require(result.status == 0, "\(result.err)")
            }
        }
    }

    static func withPair(home: URL, company: String, odbcDatabase: String, entities: [String], _ body: (Pair) async throws -> Void) async throws {
        let hubPath = home.appendingPathComponent("hub.sqlite").path
        var tokens: [String: String] = [:]
        for site in ["embedded", "odbc"] {
            let added = await tieline(["hub", "sites", "add", site, "--database", "sqlite:" + hubPath], home: home)
            let token = try #require(added.out.split(separator: "\n").last.map(String.init))
            tokens[site] = token
        }
        let storage = try SQLiteHubStorage(path: hubPath)
        let hub = try await HubServer.start(storage: storage, port: 0, configuration: HubConfiguration(procore: false), logger: CompanyFileFlowTests.quiet)
        do {
            let homes = ["embedded": home.appendingPathComponent("agent-embedded"), "odbc": home.appendingPathComponent("agent-odbc")]
            for (site, agentHome) in homes {
                let source = site == "odbc" ? ["--odbc", "Driver=SQLite3;Database=\(odbcDatabase)"] : ["--sage", company]
                for args in [["connect", "--hub", hub.baseURL, "--site", site, "--token", tokens[site]!],
                             ["connections", "add", "Company"] + source,
                             ["mappings", "enable", "--connection", "Company"] + entities,
                             ["sync", "settings", "--connection", "Company", "--type", "deep", "--timeframe", "beginning-of-time"]] {
                    let result = await tieline(args, home: agentHome)
                    try #require(result.status == 0, "\(site): \(args.joined(separator: " ")): \(result.err)\(result.out)")
                }
            }
            let sites = try await storage.sites()
            try await body(Pair(storage: storage, homes: homes, embedded: try #require(sites.first { $0.name == "embedded" }),
                                odbc: try #require(sites.first { $0.name == "odbc" })))
        } catch {
            try? await hub.shutdown()
            throw error
        }
        try await hub.shutdown()
    }

    @Test func deepAndIncrementalSyncsThroughODBCMirrorTheSameRowsAsTheEmbeddedReader() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("odbc-sync-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let company = home.appendingPathComponent("company.sqlite").path
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        #expect(await tieline(["sample-company", "create", "--path", company, "--jobs", "6", "--transactions", "3000"], home: home).status == 0)
        let entities = EntityCatalog.all.filter { $0.requiresModule != .pj }.map(\.name)
        try await Self.withPair(home: home, company: company, odbcDatabase: company, entities: entities) { pair in
            // Three batches in flight at once, through the real hub: nothing lost or doubled.
            try await pair.sync(["--batches-in-flight", "3"], batch: 250)
            let deepEmbedded = try await Self.mirror(pair.storage, site: pair.embedded)
            let jcRows = try SageCompany.open(at: company).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM JCT_CURRENT__TRANSACTION") ?? 0 }
            #expect(jcRows >= 3000 && deepEmbedded["Transaction (JC)"]?.count == jcRows)
            #expect(try await Self.mirror(pair.storage, site: pair.odbc) == deepEmbedded, "Deep: the ODBC mirror differs from the embedded one")

            // Sage changes: a job renamed, contract items re-valued, a new customer.
            let sage = try SageCompany.open(at: company)
            try sage.write { db in
                try db.execute(sql: "UPDATE JCM_MASTER__JOB SET Description = 'Renamed through Sage' WHERE Job = (SELECT MIN(Job) FROM JCM_MASTER__JOB)")
                try db.execute(sql: "UPDATE CNC_ACTIVE__CONTRACT_ITEM SET Description = 'Re-described' WHERE Item = (SELECT MIN(Item) FROM CNC_ACTIVE__CONTRACT_ITEM)")
                try db.execute(sql: "INSERT INTO ARM_MASTER__CUSTOMER (Customer, Name) VALUES ('ODBC01', 'Through ODBC Ltd')")
            }
            try await pair.sync(["--type", "incremental"])
            let incremental = try await Self.mirror(pair.storage, site: pair.embedded)
            #expect(incremental["Customer"]?.contains { $0.contains("Through ODBC Ltd") } == true)
            #expect(incremental != deepEmbedded)
            #expect(try await Self.mirror(pair.storage, site: pair.odbc) == incremental, "incremental: the ODBC mirror differs from the embedded one")

            // Deletions: Sage keeps no record of them, so the ODBC side finds them by scanning keys against its ledger.
            try sage.write { db in
                try db.execute(sql: "DELETE FROM ARM_MASTER__CUSTOMER WHERE Customer = 'ODBC01'")
                try db.execute(sql: "DELETE FROM APM_MASTER__INVOICE WHERE rowid = (SELECT MIN(rowid) FROM APM_MASTER__INVOICE)")
                #expect(db.changesCount == 1, "the sample company has an AP invoice to delete")
            }
            // The first incremental after the Deep scanned already today: this one does not look for deletions.
            try await pair.sync(["--type", "incremental"])
            let deleted = try await Self.mirror(pair.storage, site: pair.embedded)
            #expect(deleted["Customer"]?.contains { $0.contains("Through ODBC Ltd") } == false)
            #expect(try await Self.mirror(pair.storage, site: pair.odbc) != deleted, "scanned once a day: this run did not look for deletions")
            let scanned = await tieline(["sync", "run", "--connection", "Company", "--type", "incremental", "--key-scan"], home: pair.homes["odbc"]!)
            try #require(scanned.status == 0, "\(scanned.err)")
            #expect(try await Self.mirror(pair.storage, site: pair.odbc) == deleted, "after a key scan: the ODBC mirror differs from the embedded one")
            // Nothing deleted since: a second scan changes nothing.
            let again = await tieline(["sync", "run", "--connection", "Company", "--type", "incremental", "--key-scan"], home: pair.homes["odbc"]!)
            #expect(again.status == 0, "\(again.err)")
            #expect(try await Self.mirror(pair.storage, site: pair.odbc) == deleted)
        }
    }

    /// A company whose JC table has no Row_Version (as a direct Timberline connection may show it):
    /// its changes are found by Date_Stamp / Time_Stamp, and the mirror still matches the embedded reader's.
    @Test func withoutRowVersionTheDateAndTimeStampsFindTheChanges() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("odbc-stamps-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let company = home.appendingPathComponent("company.sqlite").path
        let stamped = home.appendingPathComponent("no-row-version.sqlite").path
        #expect(await tieline(["sample-company", "create", "--path", company, "--jobs", "4", "--transactions", "2500"], home: home).status == 0)
        // Sage stamps each transaction when it is entered; the sample leaves them empty. Two per second, so seconds hold several rows.
        let stamp = """
            UPDATE JCT_CURRENT__TRANSACTION SET Date_Stamp = date('2025-01-01', '+' || (Run % 40) || ' days'),
              Time_Stamp = printf('%02d:%02d:%02d', (Sequence / 7200) % 24, (Sequence / 120) % 60, (Sequence / 2) % 60)
            """
        let original = try DatabaseQueue(path: company)
        try await original.write { db in
            try db.execute(sql: "DROP TRIGGER jct_posted_no_update")
            try db.execute(sql: stamp)
        }
        try original.backup(to: try DatabaseQueue(path: stamped))
        let copy = try DatabaseQueue(path: stamped)
        try await copy.write { db in
            for trigger in ["JCT_CURRENT__TRANSACTION_version_insert", "JCT_CURRENT__TRANSACTION_version_update", "JCT_CURRENT__TRANSACTION_version_delete"] {
                try db.execute(sql: "DROP TRIGGER \"\(trigger)\"")
            }
            try db.execute(sql: "DROP INDEX JCT_CURRENT__TRANSACTION_by_version")
            try db.execute(sql: "ALTER TABLE JCT_CURRENT__TRANSACTION DROP COLUMN Row_Version")
        }

        try await Self.withPair(home: home, company: company, odbcDatabase: stamped, entities: ["Transaction (JC)", "Job (CV)"]) { pair in
            // Small batches: chunk boundaries fall inside seconds that hold several rows.
            try await pair.sync(batch: 7)
            let deep = try await Self.mirror(pair.storage, site: pair.embedded)
            #expect(deep["Transaction (JC)"]?.count == 2500)
            #expect(try await Self.mirror(pair.storage, site: pair.odbc) == deep, "Deep by stamps")

            // New transactions, stamped later (all in one second), land in both companies.
            let insert = """
                INSERT INTO JCT_CURRENT__TRANSACTION (Run, Sequence, Job, Extra, Transaction_Type, Accounting_Date, Transaction_Date, Description, Amount, Date_Stamp, Time_Stamp, Row_ID)
                SELECT 9000, n, (SELECT MIN(Job) FROM JCM_MASTER__JOB), '', 'Cost', '2025-03-01', '2025-03-01', 'Late entry ' || n, 100 * n, '2025-03-01', '08:00:00',
                       '00000000-0000-4000-8000-00000000900' || n
                FROM (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3)
                """
            try await original.write { db in try db.execute(sql: insert) }
            try await copy.write { db in try db.execute(sql: insert) }
            // Batches of 2: one second's 3 rows fill more than a batch; the reader must still move past them.
            try await pair.sync(["--type", "incremental"], batch: 2)
            let incremental = try await Self.mirror(pair.storage, site: pair.embedded)
            let odbcIncremental = try await Self.mirror(pair.storage, site: pair.odbc)
            #expect(odbcIncremental["Transaction (JC)"]?.count == 2503)
            #expect(odbcIncremental == incremental, "incremental by stamps")
            // Nothing new: the last second is read again, harmlessly.
            try await pair.sync(["--type", "incremental"])
            #expect(try await Self.mirror(pair.storage, site: pair.odbc) == incremental)
        }
    }

    @Test func stampsEncodeAsSortableMarkersAndBack() {
        #expect(ODBCEntityReader.marker(date: "2024-09-20", time: "14:03:07") == 20_240_920_140_307)
        #expect(ODBCEntityReader.marker(date: "2024-09-20 00:00:00.000", time: "09:05:00") == 20_240_920_090_500)
        #expect(ODBCEntityReader.marker(date: nil, time: "10:00:00") == 0)
        #expect(ODBCEntityReader.stamp(20_240_920_140_307) == ("2024-09-20", "14:03:07"))
    }

    @Test func aPasswordIsNeverSavedAndProblemsNameTheirFix() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("odbc-problems-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let company = home.appendingPathComponent("company.sqlite").path
        #expect(await tieline(["sample-company", "create", "--path", company, "--jobs", "2", "--transactions", "20"], home: home).status == 0)

        let inline = await tieline(["connections", "add", "A", "--odbc", "Driver=SQLite3;Database=\(company);PWD=hunter2"], home: home)
        #expect(inline.status != 0)
        #expect(inline.err.contains("--password-env") && !inline.err.contains("hunter2"), "\(inline.err)")

        let noDriver = await tieline(["connections", "add", "B", "--odbc", "Driver=NoSuchDriver;Database=\(company)"], home: home)
        #expect(noDriver.status != 0)
        #expect(noDriver.err.contains("odbcinst"), "\(noDriver.err)")

        let notSage = home.appendingPathComponent("empty.sqlite").path
        _ = try DatabaseQueue(path: notSage)
        let empty = await tieline(["connections", "add", "C", "--odbc", "Driver=SQLite3;Database=\(notSage)"], home: home)
        #expect(empty.err.contains("JCM_MASTER__JOB") && empty.err.contains("StandardMode=1"), "\(empty.err)")

        let variable = "TIELINE_TEST_ODBC_PASSWORD_\(UUID().uuidString.prefix(8))"
        let added = await tieline(["connections", "add", "D", "--odbc", "Driver=SQLite3;Database=\(company)", "--password-env", variable], home: home)
        #expect(added.status != 0, "the variable is not set, so connecting is refused")
        #expect(added.err.contains(variable), "\(added.err)")
        let config = (try? String(contentsOf: home.appendingPathComponent("agent.json"), encoding: .utf8)) ?? ""
        #expect(!config.contains("PWD"))

        let inArgs = await tieline(["connections", "add", "F", "--odbc", "Driver=SQLite3;Database=\(company)", "--password", "hunter2"], home: home)
        #expect(inArgs.status != 0 && inArgs.err.contains("stdin") && !inArgs.err.contains("hunter2"), "\(inArgs.err)")

        // Given on stdin (here through the library the command calls): sealed with the agent's key, never in clear.
        let store = AgentConfigStore(home: TielineHome(url: home))
        let sealed = try store.addODBCConnection(name: "G", settings: ODBCSettings(connectionString: "Driver=SQLite3;Database=\(company)"),
                                                 password: "s3cret;{x}")
        let saved = try String(contentsOf: home.appendingPathComponent("agent.json"), encoding: .utf8)
        #expect(!saved.contains("s3cret"))
        #expect(sealed.odbc?.sealedPassword != nil)
        let keyMode = try FileManager.default.attributesOfItem(atPath: ODBCSettings.keyFile(TielineHome(url: home)).path)[.posixPermissions] as? Int
        #expect(keyMode == 0o600)
        #expect(try sealed.odbc?.resolved(home: TielineHome(url: home)) == "Driver=SQLite3;Database=\(company);PWD={s3cret;{x}}}")
        #expect(await tieline(["connections", "test", "G"], home: home).status == 0)

        let ok = await tieline(["connections", "add", "E", "--odbc", "Driver=SQLite3;Database=\(company)"], home: home)
        #expect(ok.status == 0, "\(ok.err)")
        let tested = await tieline(["connections", "test", "E"], home: home)
        #expect(tested.status == 0 && tested.out.contains("Transaction (JC)"), "\(tested.out)\(tested.err)")
        let doctor = await tieline(["doctor", "--connection", "E"], home: home)
        #expect(doctor.out.contains("Sage connection opens (ODBC)"), "\(doctor.out)")

        // A mapped column the company does not have: named by doctor with its entity, and the fix.
        #expect(await tieline(["mappings", "enable", "--connection", "E", "Job (CV)"], home: home).status == 0)
        let older = home.appendingPathComponent("older.sqlite").path
        try FileManager.default.copyItem(atPath: company, toPath: older)
        try await DatabaseQueue(path: older).write { db in try db.execute(sql: "ALTER TABLE JCM_MASTER__JOB DROP COLUMN City") }
        try AgentConfigStore(home: TielineHome(url: home)).updateConnection("E") { $0.odbc?.connectionString = "Driver=SQLite3;Database=\(older)" }
        let broken = await tieline(["doctor", "--connection", "E"], home: home)
        #expect(broken.out.contains("Job (CV)") && broken.out.contains("City") && broken.out.contains("StandardMode=1"), "\(broken.out)")
    }
}
