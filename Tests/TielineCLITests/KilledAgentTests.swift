import Testing
import Foundation
import GRDB
import Agent
@testable import TielineCLI
import Hub
import SageStore
import SageModel
import SyncCore
import TielineCore

/// Runs the real `tieline` executable, SIGKILLs it in the middle of a Deep sync into a real hub
/// on loopback, runs it again, and checks the mirror equals Sage row for row.
@Suite("A killed agent resumes without gap or duplicate", .serialized, .timeLimit(.minutes(10)))
struct KilledAgentTests {
    /// The `tieline` executable built beside this test bundle.
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tieline")
    }

    @Test func sigkillMidDeepSyncThenResume() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path),
                     "build the tieline executable first (swift build --build-tests builds it)")
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("tieline-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }

        let companyPath = home.appendingPathComponent("company.sqlite").path
        let transactions = 80_000
        let company = try SampleCompanyGenerator.create(at: companyPath, spec: SampleCompanySpec(jobs: 8, transactions: transactions, seed: 11))

        let storage = try SQLiteHubStorage(path: home.appendingPathComponent("hub.sqlite").path)
        let token = try await storage.addSite("acme")
        let hub = try await HubServer.start(storage: storage, host: "127.0.0.1", port: 0)
        let site = try #require(try await storage.sites().first { $0.name == "acme" })

        var mappings = Mappings()
        _ = PCCOExportPreset.apply(to: &mappings, ownsPJ: false, strict: false)
        let store = AgentConfigStore(home: TielineHome(url: home))
        try store.save(AgentConfig(
            connections: [LocalConnection(name: "Company", sagePath: companyPath, mappings: mappings,
                                          settings: SyncSettings(type: .deep, timeframe: .beginningOfTime))],
            hub: HubConnection(url: "http://127.0.0.1:\(hub.port)", site: "acme")))
        try store.saveToken(token)

        // First run: killed once some, but not all, transactions are mirrored.
        let first = try launchSync(home: home)
        var mirrored = 0
        let deadline = ContinuousClock.now + .seconds(300)
        while mirrored == 0, first.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
            mirrored = try await storage.mirrorRows(entity: "Transaction (JC)", key: [], page: 1, perPage: 1, site: site).total
        }
        kill(first.processIdentifier, SIGKILL)
        await first.exited()
        #expect(first.terminationReason == .uncaughtSignal, "the agent was killed mid-sync")
        let partial = try await storage.mirrorRows(entity: "Transaction (JC)", key: [], page: 1, perPage: 1, site: site).total
        #expect(partial > 0 && partial < transactions, "killed part-way: \(partial) of \(transactions) mirrored")

        // Second run: resumes and completes.
        let second = try launchSync(home: home, log: "second")
        await second.exited()
        let log = (try? String(contentsOf: home.appendingPathComponent("second.log"), encoding: .utf8)) ?? ""
        #expect(second.terminationStatus == 0, "second run: \(log.suffix(6000))")

        // The mirror equals Sage, row for row, for every synced entity.
        for entity in EntityCatalog.all where mappings.isEnabled(entity) {
            let source = try sageRows(company, entity: entity, columns: mappings.columns(for: entity))
            let mirror = try await mirrorRows(storage, site: site, entity: entity)
            #expect(mirror.count == source.count, "\(entity.name): \(mirror.count) mirrored, \(source.count) in Sage")
            #expect(mirror == source, "\(entity.name) mirror equals Sage")
        }
        try await hub.shutdown()
    }

    @Test func hubKilledAndRestartedMidSyncTheAgentWaitsAndCompletes() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path))
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("tieline-restart-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let companyPath = home.appendingPathComponent("company.sqlite").path
        let company = try SampleCompanyGenerator.create(at: companyPath, spec: SampleCompanySpec(jobs: 8, transactions: 80_000, seed: 12))
        let hubPath = home.appendingPathComponent("hub.sqlite").path
        let storage = try SQLiteHubStorage(path: hubPath)
        let token = try await storage.addSite("acme")
        let site = try #require(try await storage.sites().first { $0.name == "acme" })
        let port = try TestPorts.free()
        var hub = try launch(["hub", "serve", "--port", "\(port)", "--database", "sqlite:\(hubPath)", "--home", home.path], home: home, log: "hub1")
        try await TestPorts.waitFor(port)

        var mappings = Mappings()
        _ = mappings.enable([EntityCatalog.job, EntityCatalog.transaction])
        let store = AgentConfigStore(home: TielineHome(url: home))
        try store.save(AgentConfig(
            connections: [LocalConnection(name: "Company", sagePath: companyPath, mappings: mappings,
                                          settings: SyncSettings(type: .deep, timeframe: .beginningOfTime))],
            hub: HubConnection(url: "http://127.0.0.1:\(port)", site: "acme")))
        try store.saveToken(token)

        let agent = try launchSync(home: home, log: "agent")
        var mirrored = 0
        let deadline = ContinuousClock.now + .seconds(300)
        while mirrored == 0, agent.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
            mirrored = try await storage.mirrorRows(entity: "Transaction (JC)", key: [], page: 1, perPage: 1, site: site).total
        }
        // The hub process dies mid-sync; the agent must wait for it, saying so, not crash.
        kill(hub.processIdentifier, SIGKILL)
        await hub.exited()
        let log = home.appendingPathComponent("agent.log")
        while agent.isRunning, ContinuousClock.now < deadline,
              !((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("not answering") {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(agent.isRunning, "the agent waits for the hub instead of exiting")
        hub = try launch(["hub", "serve", "--port", "\(port)", "--database", "sqlite:\(hubPath)", "--home", home.path], home: home, log: "hub2")
        await agent.exited()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(agent.terminationStatus == 0, "agent: \(output.suffix(3000))")
        #expect(output.contains("not answering"), "the wait was said, not silent")

        for entity in [EntityCatalog.job, EntityCatalog.transaction] {
            let source = try sageRows(company, entity: entity, columns: mappings.columns(for: entity))
            let mirror = try await mirrorRows(storage, site: site, entity: entity)
            #expect(mirror == source, "\(entity.name) mirror equals Sage after the hub restart")
        }
        // SIGTERM stops the hub gracefully.
        kill(hub.processIdentifier, SIGTERM)
        await hub.exited()
        #expect(hub.terminationReason == .exit)
    }

    func launchSync(home: URL, log: String? = nil) throws -> Process {
        try launch(["sync", "run", "--connection", "Company", "--home", home.path, "--batch-size", "2000", "--max-wait", "120", "--json"],
                   home: home, log: log)
    }

    func launch(_ arguments: [String], home: URL, log: String? = nil) throws -> Process {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        if let log {
            let url = home.appendingPathComponent("\(log).log")
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
            let handle = try FileHandle(forWritingTo: url)
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }

    /// Sage's rows of the entity, keyed by their key values.
    func sageRows(_ company: SageCompany, entity: SyncEntity, columns: [String]) throws -> [String: [String: SyncValue]] {
        try company.read { db throws in
            let sql = "SELECT \(columns.map { "\"\($0)\"" }.joined(separator: ", ")) FROM \(entity.table.name)"
                + (entity.filter.map { " WHERE \($0)" } ?? "")
            var rows: [String: [String: SyncValue]] = [:]
            for row in try Row.fetchAll(db, sql: sql) {
                var values: [String: SyncValue] = [:]
                for column in columns {
                    switch row[column] as DatabaseValue {
                    case let value where value.isNull: values[column] = .null
                    case let value: values[column] = Int64.fromDatabaseValue(value).map(SyncValue.integer)
                        ?? .text(String.fromDatabaseValue(value) ?? "")
                    }
                }
                rows[entity.table.key.map { "\(values[$0]!)" }.joined(separator: "|")] = values
            }
            return rows
        }
    }

    func mirrorRows(_ storage: SQLiteHubStorage, site: HubSite, entity: SyncEntity) async throws -> [String: [String: SyncValue]] {
        var rows: [String: [String: SyncValue]] = [:]
        var page = 1
        while true {
            let batch = try await storage.mirrorRows(entity: entity.name, key: [], page: page, perPage: 2000, site: site)
            for row in batch.rows {
                let values = Dictionary(row, uniquingKeysWith: { a, _ in a })
                rows[entity.table.key.map { "\(values[$0] ?? .null)" }.joined(separator: "|")] = values
            }
            if batch.rows.count < 2000 { return rows }
            page += 1
        }
    }
}
