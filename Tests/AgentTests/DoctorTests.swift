import Agent
import Foundation
import SyncCore
import Testing
import TielineCore

/// A home where every PCCO export prerequisite holds (the hub probe is stubbed to accept).
func readyHome(pj: Bool = true) throws -> (AgentConfigStore, Doctor) {
    let home = makeHome()
    let store = AgentConfigStore(home: home)
    try store.addConnection(name: "Company", sagePath: try makeCompany(in: home, pj: pj))
    _ = try store.applyPCCOPreset(connection: "Company", strict: false, dryRun: false)
    _ = try store.setSyncSettings(connection: "Company", type: .deep, timeframe: .beginningOfTime)
    try store.connect(url: "http://127.0.0.1:9", site: "acme", token: "tl_good_token_1234")
    try writeRunLog(in: home, rows: [("Company", "deep", "beginning-of-time", "completed")])
    return (store, Doctor(store: store, probe: { hub, token in token == "tl_good_token_1234" ? .ok(site: hub.site) : .unauthorized }))
}

func failed(_ report: DoctorReport) -> [String] { report.checks.filter { !$0.passed }.map(\.id) }

@Suite struct DoctorTests {
    @Test func passesWhenEverythingHolds() async throws {
        let (_, doctor) = try readyHome()
        let report = try await doctor.run(connection: "Company")
        #expect(report.passed, "\(report.lines)")
        #expect(report.checks.map(\.id) == ["sage_connection", "approved_contract", "hub_connection", "entities_mapped",
                                            "transaction_options_cleared", "deep_sync_completed"])
        #expect(report.lines.last?.hasPrefix("Ready for PCCO export") == true)
    }

    @Test func failsWithoutAnyConnection() async throws {
        let report = try await Doctor(store: AgentConfigStore(home: makeHome()), probe: { _, _ in .unauthorized }).run(connection: nil)
        #expect(failed(report) == ["sage_connection", "hub_connection"])
        #expect(report.checks[0].fix?.hasPrefix("tieline connections add") == true)
        #expect(report.checks[1].fix?.hasPrefix("tieline connect --hub") == true)
    }

    @Test func failsWhenTheSageFileIsGone() async throws {
        let (store, doctor) = try readyHome()
        try FileManager.default.removeItem(atPath: try store.connection("Company").sagePath)
        #expect(failed(try await doctor.run(connection: "Company")) == ["sage_connection", "approved_contract"])
    }

    @Test func failsWithoutAnApprovedContract() async throws {
        let (store, doctor) = try readyHome()
        let company = try store.connection("Company").openCompany()
        try company.write { db in try db.execute(sql: "UPDATE CNC_ACTIVE__CONTRACT SET Status = 'Pending'") }
        #expect(failed(try await doctor.run(connection: "Company")) == ["approved_contract"])
    }

    @Test func failsWhenTheHubRejectsTheToken() async throws {
        let (store, doctor) = try readyHome()
        try store.saveToken("tl_revoked_token_0000")
        let report = try await doctor.run(connection: "Company")
        #expect(failed(report) == ["hub_connection"])
        #expect(report.checks.first { $0.id == "hub_connection" }?.fix?.contains("--token - --check   (paste the site's new agent token") == true)
        #expect(!report.lines.joined().contains("tl_revoked_token_0000"), "the token must never be printed")
    }

    @Test func failsWhenAnEntityIsNotTicked() async throws {
        let (store, doctor) = try readyHome()
        _ = try store.disableEntities(["Contract Item (CN)"], connection: "Company", allowRemoval: true)
        let report = try await doctor.run(connection: "Company")
        #expect(failed(report) == ["entities_mapped"])
        #expect(report.checks.first { $0.id == "entities_mapped" }?.detail.contains("Contract Item (CN)") == true)
        #expect(report.checks.first { $0.id == "entities_mapped" }?.fix == "tieline mappings preset pcco-export --connection Company")
    }

    @Test func pjEntitiesAreOnlyNeededWithPJ() async throws {
        let (_, doctor) = try readyHome(pj: false)
        #expect(try await doctor.run(connection: "Company").passed)
    }

    @Test func failsWhenATransactionOptionIsOn() async throws {
        let (store, doctor) = try readyHome()
        _ = try store.setFieldOptions(entity: "Transaction (JC)", exclude: [], include: ["Employee"], connection: "Company")
        let report = try await doctor.run(connection: "Company")
        #expect(failed(report) == ["transaction_options_cleared"])
        #expect(report.checks.first { $0.id == "transaction_options_cleared" }?.fix
                == "tieline mappings fields --connection Company \"Transaction (JC)\" --exclude Employee")
    }

    @Test func failsUntilADeepSyncFromTheBeginningOfTimeCompleted() async throws {
        let (store, doctor) = try readyHome()
        let log = store.home.path("agent.sqlite")
        try FileManager.default.removeItem(at: log)
        #expect(failed(try await doctor.run(connection: "Company")) == ["deep_sync_completed"])
        // Runs that don't count: incremental, a shorter timeframe, still running, another connection; an empty table.
        try writeRunLog(in: store.home, rows: [
            ("Company", "incremental", "beginning-of-time", "completed"), ("Company", "deep", "last:90d", "completed"),
            ("Company", "deep", "beginning-of-time", "running"), ("Other", "deep", "beginning-of-time", "completed"),
        ])
        let report = try await doctor.run(connection: "Company")
        #expect(failed(report) == ["deep_sync_completed"])
        #expect(report.checks.last?.fix == "tieline sync run --connection Company")
        _ = try store.setSyncSettings(connection: "Company", type: .incremental, timeframe: nil)
        #expect(try await doctor.run(connection: "Company").checks.last?.fix?.hasPrefix("tieline sync settings --connection Company --type deep") == true)
    }

    @Test func anUnknownConnectionIsAFailedCheck() async throws {
        let (_, doctor) = try readyHome()
        let report = try await doctor.run(connection: "Nope")
        #expect(failed(report) == ["sage_connection"])
    }
}
