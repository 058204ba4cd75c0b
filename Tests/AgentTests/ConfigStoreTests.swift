import Agent
import Foundation
import SyncCore
import Testing
import TielineCore

@Suite struct ConfigStoreTests {
    @Test func savesAndLoadsEverything() throws {
        let store = AgentConfigStore(home: makeHome())
        var mappings = Mappings()
        _ = PCCOExportPreset.apply(to: &mappings, ownsPJ: true, strict: false)
        let config = AgentConfig(connections: [LocalConnection(name: "Company", sagePath: "/x.sqlite", mappings: mappings,
                                                               settings: SyncSettings(type: .deep, timeframe: .last(90, .days)))],
                                 hub: HubConnection(url: "https://hub.example.com", site: "acme"))
        try store.save(config)
        #expect(try store.load() == config)
    }

    @Test func brokenFileNamesFileAndLineAndIsLeftUntouched() throws {
        let home = makeHome()
        let store = AgentConfigStore(home: home)
        let broken = "{\n  \"connections\": [\n    {\"name\": \"Company\",\n     \"sagePath\": \"/x.sqlite\" oops\n  ]\n}\n"
        try Data(broken.utf8).write(to: store.configURL)
        let company = try makeCompany(in: home, pj: false)
        do {
            try store.addConnection(name: "Other", sagePath: company)
            Issue.record("a broken config must not be overwritten")
        } catch {
            #expect(error.code == .corruptConfig)
            #expect(error.message.contains(store.configURL.path))
            #expect(error.message.contains("line 4"), "got: \(error.message)")
        }
        #expect(String(decoding: try Data(contentsOf: store.configURL), as: UTF8.self) == broken)
    }

    @Test func wrongTypeNamesTheLine() throws {
        let store = AgentConfigStore(home: makeHome())
        let text = "{\n  \"connections\": 5\n}\n"
        try Data(text.utf8).write(to: store.configURL)
        let error = #expect(throws: TielineError.self) { try store.load() }
        #expect(error?.message.contains("line 2") == true, "got: \(error?.message ?? "")")
    }

    @Test func crashMidWriteLeavesTheOldFile() throws {
        let store = AgentConfigStore(home: makeHome())
        let old = AgentConfig(connections: [LocalConnection(name: "Company", sagePath: "/x.sqlite")])
        try store.save(old)
        // A crash after writing part of the temporary file leaves it behind; the real file is intact.
        let stray = store.configURL.deletingLastPathComponent().appendingPathComponent(".agent.json.tmp-999-123")
        try Data("{\"connections\": [{\"na".utf8).write(to: stray)
        #expect(try store.load() == old)
        // A later save still works and replaces the file whole.
        let new = AgentConfig(connections: [], hub: HubConnection(url: "https://h", site: "s"))
        try store.save(new)
        #expect(try store.load() == new)
    }

    @Test func failedChangeWritesNothing() throws {
        let store = AgentConfigStore(home: makeHome())
        let old = AgentConfig(connections: [LocalConnection(name: "Company", sagePath: "/x.sqlite")])
        try store.save(old)
        let before = try Data(contentsOf: store.configURL)
        #expect(throws: TielineError.self) {
            try store.update { (config: inout AgentConfig) throws(TielineError) in
                config.connections = []
                throw TielineError(.conflict, "simulated failure halfway through a change")
            }
        }
        #expect(try Data(contentsOf: store.configURL) == before)
    }

    @Test func tokenFileIsOwnerOnly() throws {
        let store = AgentConfigStore(home: makeHome())
        try store.saveToken("tl_secret_0123456789")
        let attributes = try FileManager.default.attributesOfItem(atPath: store.tokenURL.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try store.loadToken() == "tl_secret_0123456789")
    }
}
