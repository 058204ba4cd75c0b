import Agent
import Foundation
import SyncCore
import Testing
import TielineCore

@Suite struct LocalConnectionsTests {
    @Test func addsASageCompanyAndRefusesOtherFiles() throws {
        let home = makeHome()
        let store = AgentConfigStore(home: home)
        let path = try makeCompany(in: home, pj: false)
        try store.addConnection(name: "Company", sagePath: path)
        #expect(try store.load().connections.map(\.name) == ["Company"])

        let text = home.path("notes.txt")
        try Data("not a database".utf8).write(to: text)
        let notSage = #expect(throws: TielineError.self) { try store.addConnection(name: "Notes", sagePath: text.path) }
        #expect(notSage?.code == .notSageCompany)

        let missing = #expect(throws: TielineError.self) { try store.addConnection(name: "Gone", sagePath: home.path("gone.sqlite").path) }
        #expect(missing?.code == .sageCompanyMissing)

        let duplicate = #expect(throws: TielineError.self) { try store.addConnection(name: "Company", sagePath: path) }
        #expect(duplicate?.code == .conflict)
        #expect(try store.load().connections.count == 1)
    }

    @Test func removingAConnectionWithTickedEntitiesNeedsPermission() throws {
        let home = makeHome()
        let store = AgentConfigStore(home: home)
        try store.addConnection(name: "Company", sagePath: try makeCompany(in: home, pj: false))
        _ = try store.enableEntities(["Customer"], connection: "Company")
        let error = #expect(throws: TielineError.self) { try store.removeConnection(name: "Company", allowRemoval: false) }
        #expect(error?.code == .removalNotAllowed)
        #expect(try store.load().connections.count == 1)
        try store.removeConnection(name: "Company", allowRemoval: true)
        #expect(try store.load().connections.isEmpty)
    }

    @Test func reportCountsRowsPerEntityAndModules() throws {
        let home = makeHome()
        let store = AgentConfigStore(home: home)
        try store.addConnection(name: "Company", sagePath: try makeCompany(in: home, pj: false))
        _ = try store.enableEntities(["Contract (CN)"], connection: "Company")
        let report = try ConnectionReport.test(try store.connection("Company"))
        #expect(report.company == "Test Builders")
        #expect(!report.ownsPJ)
        #expect(report.modules == ["JC", "CN", "AP", "AR"])
        let contract = report.entities.first { $0.entity == "Contract (CN)" }
        #expect(contract?.rows == 1 && contract?.mapped == true)
        #expect(report.entities.first { $0.entity == "Contract Change Order (PJ)" }?.rows == nil)
        #expect(report.entities.count == 13)
    }

    @Test func enablingAPJEntityNeedsPJ() throws {
        let home = makeHome()
        let store = AgentConfigStore(home: home)
        try store.addConnection(name: "Company", sagePath: try makeCompany(in: home, pj: false))
        let error = #expect(throws: TielineError.self) { try store.enableEntities(["contract change request"], connection: "Company") }
        #expect(error?.code == .moduleNotOwned)
    }

    @Test func presetDryRunSavesNothingAndRealRunIsIdempotent() throws {
        let home = makeHome()
        let store = AgentConfigStore(home: home)
        try store.addConnection(name: "Company", sagePath: try makeCompany(in: home, pj: true))
        let dry = try store.applyPCCOPreset(connection: "Company", strict: false, dryRun: true)
        #expect(dry.added.count == 13)
        #expect(try store.connection("Company").mappings == Mappings())
        let first = try store.applyPCCOPreset(connection: "Company", strict: false, dryRun: false)
        #expect(first.added.count == 13 && first.cleared.count == 5)
        let second = try store.applyPCCOPreset(connection: "Company", strict: false, dryRun: false)
        #expect(second.isEmpty)
    }

    @Test func syncSettingsAreSavedPerConnection() throws {
        let home = makeHome()
        let store = AgentConfigStore(home: home)
        try store.addConnection(name: "Company", sagePath: try makeCompany(in: home, pj: false))
        _ = try store.setSyncSettings(connection: "Company", type: .deep, timeframe: nil)
        _ = try store.setSyncSettings(connection: "Company", type: nil, timeframe: .beginningOfTime)
        #expect(try store.connection("Company").settings.lines == ["Sync Type: Deep", "Timeframe: The beginning of time"])
    }
}
