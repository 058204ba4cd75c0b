import AsyncHTTPClient
import Foundation
import Hub
import Logging
import SyncCore
import TielineCore

/// A live hub on 127.0.0.1 (a free port) over a fresh database of either backend, and an HTTP caller for it.
/// The storage runs in the hub's ServiceGroup, as in `tieline hub serve`: it stops with the hub.
struct HubHarness {
    let database: TestDatabase
    var storage: any HubStorage
    var hub: HubServer

    var backend: Backend { database.backend }

    static func start(_ backend: Backend = .sqlite, maxBatchBytes: Int = 64 << 20) async throws -> HubHarness {
        let database = try await TestDatabase.make(backend)
        do {
            let storage = try await database.open()
            let hub = try await HubServer.start(storage: storage, port: 0, configuration: HubConfiguration(maxBatchBytes: maxBatchBytes),
                                                logger: Self.quietLogger, runStorage: true)
            return HubHarness(database: database, storage: storage, hub: hub)
        } catch {
            await database.drop()
            throw error
        }
    }

    /// Stops the server, reopens the same database and starts again (a hub restart).
    mutating func restart() async throws {
        try await hub.shutdown()
        storage = try await database.open()
        hub = try await HubServer.start(storage: storage, port: 0, logger: Self.quietLogger, runStorage: true)
    }

    func stop() async throws {
        do {
            try await hub.shutdown()
        } catch {
            await database.drop()
            throw error
        }
        await database.drop()
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "hub-tests")
        logger.logLevel = .error
        return logger
    }

    /// Runs `body` against a fresh hub and always stops it.
    static func with<T>(_ backend: Backend = .sqlite, maxBatchBytes: Int = 64 << 20, _ body: (inout HubHarness) async throws -> T) async throws -> T {
        var harness = try await start(backend, maxBatchBytes: maxBatchBytes)
        do {
            let result = try await body(&harness)
            try await harness.stop()
            return result
        } catch {
            try? await harness.stop()
            throw error
        }
    }

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: Data

        var json: Any? { try? JSONSerialization.jsonObject(with: body) }
        var errorCode: String? { ((json as? [String: Any])?["error"] as? [String: Any])?["code"] as? String }
        var errorMessage: String? { ((json as? [String: Any])?["error"] as? [String: Any])?["message"] as? String }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func call(_ method: String, _ path: String, token: String? = nil, body: [UInt8]? = nil,
              contentType: String = "application/json") async throws -> Reply {
        var request = HTTPClientRequest(url: hub.baseURL + path)
        request.method = .RAW(value: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(body)
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return Reply(status: Int(response.status.code), headers: headers, body: Data(bytes.readableBytesView))
    }

    func json(_ method: String, _ path: String, token: String?, _ value: some Encodable) async throws -> Reply {
        try await call(method, path, token: token, body: [UInt8](try JSONEncoder().encode(value)))
    }

    func send(_ batch: SyncBatch, token: String?) async throws -> Reply {
        try await call("POST", "/v1/sync/runs/\(batch.runID)/batches", token: token, body: SyncWire.encode(batch),
                       contentType: SyncWire.contentType)
    }

    func begin(_ runID: String, token: String, type: SyncType = .deep, startDate: String? = nil) async throws -> Reply {
        let start = SyncRunStart(runID: runID, connection: "Main", type: type,
                                 timeframe: startDate.map { .since(try! CalendarDate(parsing: $0)) } ?? .beginningOfTime,
                                 startDate: try startDate.map { try CalendarDate(parsing: $0) }, entities: ["Transaction (JC)", "Customer"])
        return try await json("POST", "/v1/sync/runs", token: token, start)
    }

    func mirror(_ entity: String, token: String, query: String = "") async throws -> Reply {
        let escaped = entity.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"]))!
        return try await call("GET", "/v1/mirror/\(escaped)\(query.isEmpty ? "" : "?" + query)", token: token)
    }

    /// Mirror rows as dictionaries (first page of up to 2000).
    func rows(_ entity: String, token: String, query: String = "per_page=2000") async throws -> [[String: Any]] {
        try await mirror(entity, token: token, query: query).json as? [[String: Any]] ?? []
    }
}
