import AsyncHTTPClient
import Foundation
import GRDB
@testable import Hub
import Logging
import SyncCore
import Testing

/// What a security and fault review found (#17): each case failed before its fix.
@Suite struct HardeningTests {
    /// Extreme and malformed numbers on every route that takes one: a 4xx naming the range, never a crash.
    @Test(arguments: Backend.all) func extremeNumbersGet400AndTheHubStaysUp(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { h in
            let token = try await h.storage.addSite("Acme")
            let huge = "4611686018427387904", max = "9223372036854775807", over = "99999999999999999999"
            var cases: [(String, String)] = []
            for value in [huge, max, over, "-1", "0", "-9223372036854775808", "1e9", "abc", "%20"] {
                cases += [("GET", "/v1/mirror/job?page=\(value)"), ("GET", "/v1/mirror/job?per_page=\(value)"),
                          ("GET", "/v1/mirror/job?page=\(value)&per_page=\(value)"),
                          ("GET", "/v1/sync/runs?limit=\(value)"), ("GET", "/v1/exports/next?wait=\(value)"),
                          ("GET", "/v1/exports/next?max=\(value)&wait=0"),
                          ("POST", "/v1/exports/\(value)/result"), ("POST", "/v1/exports/\(value)/check")]
            }
            for (method, path) in cases where path != "/v1/exports/next?wait=0" {
                let reply = try await h.call(method, path, token: token, body: method == "POST" ? Array("{}".utf8) : nil)
                #expect((400..<500).contains(reply.status), "\(method) \(path) → \(reply.status) \(reply.text)")
            }
            // The range is named, so a caller can fix the request.
            let page = try await h.call("GET", "/v1/mirror/job?page=\(huge)", token: token)
            #expect(page.status == 400)
            #expect(page.errorMessage?.contains("page must be a whole number from 1 to 1000000") == true, "\(page.text)")
            // The last valid page still works, and the hub answers everyone.
            #expect(try await h.call("GET", "/v1/mirror/job?page=1000000&per_page=2000", token: token).status == 200)
            #expect(try await h.call("GET", "/health").status == 200)
            // Storage refuses an overflowing page even when called directly.
            let site = try #require(try await h.storage.site(forToken: token))
            await #expect(throws: (any Error).self) {
                _ = try await h.storage.mirrorRows(entity: "Job (CV)", key: [], page: Int.max, perPage: 2000, site: site)
            }
        }
    }

    @Test(arguments: Backend.all) func entitiesOutsideTheCatalogAreRefusedNotStored(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { h in
            let token = try await h.storage.addSite("Acme")
            let start = SyncRunStart(runID: "run-x", connection: "Main", type: .deep, timeframe: .beginningOfTime, startDate: nil,
                                     entities: ["Payroll Secrets"])
            let opened = try await h.json("POST", "/v1/sync/runs", token: token, start)
            #expect(opened.status == 400)
            #expect(opened.errorCode == "unknown_entity")
            _ = try await h.begin("run-1", token: token)
            var batch = Fixtures.customers(run: "run-1", ["C1"])
            batch.entity = "Payroll Secrets"
            let sent = try await h.send(batch, token: token)
            #expect(sent.status == 400)
            #expect(sent.errorCode == "unknown_entity")
            #expect(sent.errorMessage?.contains("Transaction (JC)") == true, "the message lists what the hub mirrors")
            #expect(try await h.rows("Payroll Secrets", token: token).isEmpty)
            let done = try await h.json("POST", "/v1/sync/runs/run-1/entities/complete", token: token,
                                        EntityCompletion(runID: "run-1", entity: "Payroll Secrets", rowCount: 0))
            #expect(done.errorCode == "unknown_entity")
        }
    }

    @Test(arguments: Backend.all) func aRedeliveredBatchIsAnsweredBeforeItsRowsAreDecoded(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { h in
            let token = try await h.storage.addSite("Acme")
            _ = try await h.begin("run-1", token: token)
            let batch = Fixtures.batch(rows: 20)
            #expect(try await h.send(batch, token: token).status == 200)
            // Same run, entity and sequence, but rows that could not even be decoded: answered from the receipt.
            let encoded = SyncWire.encode(batch)
            let mangled = Array(encoded.prefix(encoded.count - 30))
            let again = try await h.call("POST", "/v1/sync/runs/run-1/batches", token: token, body: mangled, contentType: SyncWire.contentType)
            #expect(again.status == 200, "\(again.text)")
            let ack = try JSONDecoder().decode(SyncBatchAck.self, from: again.body)
            #expect(ack.duplicate && ack.applied == 20)
        }
    }

    @Test func aBatchOfTooManyRowsIsRefusedWhileDecoding() async throws {
        try await HubHarness.with(.sqlite) { h in
            let token = try await h.storage.addSite("Acme")
            _ = try await h.begin("run-1", token: token)
            // Tiny rows: 2 bytes each on the wire, ~100 in memory once decoded.
            let batch = SyncBatch(runID: "run-1", entity: "Customer", sequence: 0, columns: ["Customer"], key: ["Customer"],
                                  dateColumn: nil, upserts: Array(repeating: [.null], count: SyncWire.maxRows + 1), deletes: [],
                                  throughVersion: 1)
            let reply = try await h.send(batch, token: token)
            #expect(reply.status == 413)
            #expect(reply.errorCode == "wire_too_large")
            #expect(try await h.rows("Customer", token: token).isEmpty)
        }
    }

    @Test func aFullDiskAnswersStorageFailureAndTheHubStaysUp() async throws {
        try await HubHarness.with(.sqlite) { h in
            let token = try await h.storage.addSite("Acme")
            _ = try await h.begin("run-1", token: token)
            let sqlite = try #require(h.storage as? SQLiteHubStorage)
            // SQLite's own "database or disk is full" (SQLITE_FULL), as on a full disk: the file may not grow.
            try await sqlite.pool.write { db in
                let pages = try Int.fetchOne(db, sql: "PRAGMA page_count")!
                try db.execute(sql: "PRAGMA max_page_count = \(pages)")
            }
            let batch = try await h.send(Fixtures.batch(rows: 3000), token: token)
            #expect(batch.status == 500)
            #expect(batch.errorCode == "storage_failure", "\(batch.text)")
            #expect(try await h.call("GET", "/health").status == 200)
            // Errors raised by GRDB statements elsewhere (opening a run, the queue) answer the same.
            let full = ErrorMiddleware<HubRequestContext>.tielineError(DatabaseError(resultCode: .SQLITE_FULL, message: "database or disk is full"))
            #expect(full.code == .storageFailure)
            #expect(full.message.contains("full") && !full.message.contains("database or disk"), "the cause stays in the log")
        }
    }

    @Test func newHubFilesAreTheOwnersAlone() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hub-mode-\(UUID().uuidString)/home")
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let path = folder.appendingPathComponent("hub.sqlite").path
        _ = try SQLiteHubStorage(path: path)
        let file = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        let dir = try FileManager.default.attributesOfItem(atPath: folder.path)[.posixPermissions] as? Int
        #expect(file == 0o600)
        #expect(dir == 0o700)
    }

    @Test func requestLogsNeverHoldQueryStrings() async throws {
        let handler = HubLogCapture()
        var logger = Logger(label: "capture") { _ in handler }
        logger.logLevel = .debug
        let database = try await TestDatabase.make(.sqlite)
        let storage = try await database.open()
        let hub = try await HubServer.start(storage: storage, port: 0, configuration: HubConfiguration(procore: false), logger: logger,
                                            runStorage: true)
        defer { Task { await database.drop() } }
        for path in ["/procore/webhook?token=WEBHOOK-SECRET-1", "/v1/site?access_token=ACCESS-SECRET-2", "/health?x=QUERY-SECRET-3"] {
            var request = HTTPClientRequest(url: hub.baseURL + path)
            request.method = path.hasPrefix("/procore") ? .POST : .GET
            _ = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        }
        try await hub.shutdown()
        let lines = handler.lines
        for secret in ["WEBHOOK-SECRET-1", "ACCESS-SECRET-2", "QUERY-SECRET-3"] {
            #expect(!lines.contains { $0.contains(secret) }, "\(secret) was logged")
        }
        // The access-log line AccessLogMiddleware writes: `METHOD PATH STATUS <n>ms`, one per request, at debug.
        let accessLine = #/^(GET|POST) (/[^ ?]*) (\d{3}) \d+ms /#
        let access = handler.entries.compactMap { level, line in line.firstMatch(of: accessLine).map { (level, "\($0.1) \($0.2) \($0.3)") } }
        #expect(Set(access.map(\.1)) == ["POST /procore/webhook 401", "GET /v1/site 401", "GET /health 200"], "\(access)")
        #expect(access.allSatisfy { $0.0 == .debug }, "\(access)")
        // At the default level (info) requests are not logged at all, refused ones (401) included: nothing names their paths.
        let atInfo = handler.lines(atLeast: .info)
        for path in ["/procore/webhook", "/v1/site", "/health"] {
            #expect(!atInfo.contains { $0.contains(path) }, "\(path) logged at info or above: \(atInfo)")
        }
    }
}

/// Keeps every log line with its level.
final class HubLogCapture: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var captured: [(Logger.Level, String)] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        lock.withLock { captured.append((event.level, "\(event.message) \(all)")) }
    }

    var lines: [String] { lock.withLock { captured.map(\.1) } }
    var entries: [(Logger.Level, String)] { lock.withLock { captured } }
    func lines(atLeast level: Logger.Level) -> [String] { lock.withLock { captured.filter { $0.0 >= level }.map(\.1) } }
}
