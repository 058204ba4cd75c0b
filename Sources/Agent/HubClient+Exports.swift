import AsyncHTTPClient
import Foundation
import SyncCore
import TielineCore

extension HubClient {
    /// Long-polls for exports, up to `max` at once (empty when none arrived within `wait` seconds): accepted
    /// ones to write, and with `checks` also ones to check against Sage.
    public func nextExports(agent: String, max: Int = 1, wait: Int, checks: Bool = false) async throws -> [ExportAssignment] {
        var request = HTTPClientRequest(url: url + "/v1/exports/next?wait=\(wait)&max=\(max)&agent=\(Self.segment(agent))\(checks ? "&checks=1" : "")")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        let status: UInt
        let data: Data
        do {
            let response = try await client.execute(request, timeout: .seconds(Int64(wait) + timeoutSeconds))
            status = response.status.code
            data = Data((try await response.body.collect(upTo: 16 << 20)).readableBytesView)
        } catch {
            throw TielineError(.hubTransport, "cannot reach the hub at \(url): \(error)")
        }
        if status == 204 { return [] }
        guard status == 200 else {
            if let failure = try? JSONDecoder().decode(HubFailure.self, from: data) {
                throw TielineError(TielineError.Code(failure.error.code), "hub: \(failure.error.message)")
            }
            throw TielineError(.hubTransport, "the hub at \(url) answered HTTP \(status) to GET /v1/exports/next")
        }
        do {
            return try JSONDecoder().decode([ExportAssignment].self, from: data)
        } catch {
            throw TielineError(.hubTransport, "the hub at \(url) sent an export this agent does not understand: \(error)")
        }
    }

    /// Reports what happened to an export; returns the status the hub recorded.
    @discardableResult
    public func reportExport(id: Int64, agent: String, outcome: ExportOutcome) async throws -> String {
        struct Recorded: Decodable { var status: String }
        return try await call("POST", "/v1/exports/\(id)/result?agent=\(Self.segment(agent))", json: outcome, as: Recorded.self).status
    }

    /// Reports what became of several exports at once, in one hub transaction; answers each found export's status by id.
    public func reportExports(_ outcomes: [(id: Int64, outcome: ExportOutcome)], agent: String) async throws -> [Int64: String] {
        struct Reported: Encodable { var id: Int64; var outcome: ExportOutcome }
        struct Recorded: Decodable { var id: Int64; var status: String }
        let recorded = try await call("POST", "/v1/exports/results?agent=\(Self.segment(agent))",
                                      json: outcomes.map { Reported(id: $0.id, outcome: $0.outcome) }, as: [Recorded].self)
        return Dictionary(recorded.map { ($0.id, $0.status) }, uniquingKeysWith: { first, _ in first })
    }

    /// Answers a check with what Sage itself finds wrong (nothing: the export may go on).
    @discardableResult
    public func reportCheck(id: Int64, agent: String, check: SageCheck) async throws -> String {
        struct Recorded: Decodable { var status: String }
        return try await call("POST", "/v1/exports/\(id)/check?agent=\(Self.segment(agent))", json: check, as: Recorded.self).status
    }

    /// Gives back exports an earlier run of this agent held (it restarted, so it is not writing them).
    @discardableResult
    public func releaseExports(agent: String) async throws -> Int {
        struct Released: Decodable { var released: Int }
        return try await call("POST", "/v1/exports/release?agent=\(Self.segment(agent))", json: [String: String](), as: Released.self).released
    }
}
