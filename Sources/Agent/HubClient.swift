import AsyncHTTPClient
import Foundation
import SyncCore
import TielineCore

/// The agent's side of the hub API: a `SyncDestination` over HTTPS with a site's bearer token.
///
/// Batches travel as `SyncWire` binary; everything else as JSON. Failures become
/// `TielineError`s carrying the hub's own code and message (e.g. `unauthorized`).
public struct HubClient: SyncDestination {
    /// The hub's base URL, without a trailing slash.
    public let url: String
    let token: String
    let client: HTTPClient
    /// How long a JSON call may take, connecting included; batches and completions get five times as long.
    public let timeout: Duration

    /// A client for the hub at `url` (e.g. `https://hub.example.com`) using an agent token.
    public init(url: String, token: String, timeout: Duration = .seconds(60), client: HTTPClient = HubClient.agentHTTPClient) {
        var base = url.trimmingWhitespace()
        while base.hasSuffix("/") { base.removeLast() }
        self.url = base
        self.token = token
        self.timeout = timeout
        self.client = client
    }

    var timeoutSeconds: Int64 { max(1, timeout.components.seconds) }

    /// The agent's HTTP client: connecting gives up after 5 seconds.
    ///
    /// With the shared client a call made while the hub is down waits inside the connection pool
    /// (which keeps reconnecting) until the whole request deadline; failing the connect fast lets
    /// the sync runner say the hub is not answering and wait with its own backoff.
    public static let agentHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(5))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// The site the token belongs to; `unauthorized` when it is wrong or revoked (what `doctor` probes).
    public func site() async throws -> String {
        struct Site: Decodable { var site: String }
        return try await call("GET", "/v1/site", as: Site.self).site
    }

    public func beginRun(_ start: SyncRunStart) async throws {
        struct Opened: Decodable { var runID: String }
        _ = try await call("POST", "/v1/sync/runs", json: start, as: Opened.self)
    }

    public func send(_ batch: SyncBatch) async throws -> SyncBatchAck {
        try await send(encoded: SyncWire.encode(batch), header: SyncBatchHeader(runID: batch.runID, entity: batch.entity, sequence: batch.sequence))
    }

    public func send(encoded: [UInt8], header: SyncBatchHeader) async throws -> SyncBatchAck {
        try await call("POST", "/v1/sync/runs/\(Self.segment(header.runID))/batches",
                       body: encoded, contentType: SyncWire.contentType, timeoutSeconds: timeoutSeconds * 5, as: SyncBatchAck.self)
    }

    public func completeEntity(_ completion: EntityCompletion) async throws {
        struct Completed: Decodable { var removed: Int }
        _ = try await call("POST", "/v1/sync/runs/\(Self.segment(completion.runID))/entities/complete",
                           json: completion, timeoutSeconds: timeoutSeconds * 5, as: Completed.self)
    }

    public func finishRun(runID: String, status: String, error: String?) async throws {
        struct Finish: Encodable { var status: String; var error: String? }
        struct Finished: Decodable { var status: String }
        _ = try await call("POST", "/v1/sync/runs/\(Self.segment(runID))/finish",
                           json: Finish(status: status, error: error), as: Finished.self)
    }

    // MARK: - HTTP

    func call<Output: Decodable>(_ method: String, _ path: String, json: some Encodable, timeoutSeconds: Int64? = nil,
                                 as: Output.Type) async throws -> Output {
        let body = try JSONEncoder().encode(json)
        return try await call(method, path, body: [UInt8](body), contentType: "application/json", timeoutSeconds: timeoutSeconds ?? self.timeoutSeconds, as: Output.self)
    }

    func call<Output: Decodable>(_ method: String, _ path: String, body: [UInt8]? = nil, contentType: String? = nil,
                                 timeoutSeconds: Int64? = nil, as: Output.Type) async throws -> Output {
        var request = HTTPClientRequest(url: url + path)
        request.method = .RAW(value: method)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: contentType ?? "application/octet-stream")
            request.body = .bytes(body)
        }
        let status: UInt
        let data: Data
        do {
            let response = try await client.execute(request, timeout: .seconds(timeoutSeconds ?? self.timeoutSeconds))
            status = response.status.code
            data = Data((try await response.body.collect(upTo: 16 << 20)).readableBytesView)
        } catch {
            throw TielineError(.hubTransport, "cannot reach the hub at \(url): \(error)")
        }
        guard (200..<300).contains(status) else {
            if let failure = try? JSONDecoder().decode(HubFailure.self, from: data) {
                throw TielineError(TielineError.Code(failure.error.code), "hub: \(failure.error.message)")
            }
            throw TielineError(.hubTransport, "the hub at \(url) answered HTTP \(status) to \(method) \(path)")
        }
        do {
            return try JSONDecoder().decode(Output.self, from: data)
        } catch {
            throw TielineError(.hubTransport, "the hub at \(url) sent an answer this agent does not understand to \(method) \(path)")
        }
    }

    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? text
    }
}

/// The hub's error body, `{"error":{"code":..,"message":..}}`.
struct HubFailure: Decodable {
    struct Detail: Decodable {
        var code: String
        var message: String
    }
    var error: Detail
}

extension TielineError.Code {
    /// The hub could not be reached or answered something unexpected.
    public static let hubTransport = WireErrorCode.hubTransport.code
}
