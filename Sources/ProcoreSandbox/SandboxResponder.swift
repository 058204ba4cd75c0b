import Foundation
import Hummingbird
import NIOCore
import Procore
import TielineCore

/// Turns Hummingbird requests into sandbox answers.
struct SandboxResponder: HTTPResponder {
    typealias Context = SandboxContext
    let store: SandboxStore
    let configuration: SandboxConfiguration

    func respond(to request: Request, context: SandboxContext) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: 4 * 1024 * 1024)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        let path = request.uri.path
        let r = SandboxRequest(
            method: request.method.rawValue, path: path,
            segments: path.split(separator: "/").map(String.init),
            query: SandboxRequest.decodeQuery(request.uri.query), headers: headers,
            body: Data(buffer.readableBytesView),
            // HTTP/1.1 Host arrives as the request's authority, not as a header field.
            origin: "http://\(request.head.authority ?? headers["host"] ?? "\(configuration.host):\(configuration.port)")")
        let now = configuration.clock.now()
        if path.hasPrefix("/sandbox/") {
            return store.with { $0.control(r, now: now) }.response
        }
        if path == "/oauth/token" {
            guard r.method == "POST" else { return SandboxReply.error(405, "use POST").response }
            return store.with {
                $0.token(r, now: now, clientID: configuration.clientID, clientSecret: configuration.clientSecret,
                         lifetime: configuration.tokenLifetime, refreshTokens: configuration.issueRefreshTokens)
            }.response
        }
        let decision = store.with { $0.gate(r, now: now, limit: configuration.rateLimit, window: configuration.rateLimitWindow,
                                               spikeLimit: configuration.spikeLimit, spikeWindow: configuration.spikeWindow) }
        switch decision {
        case .answer(let reply):
            return reply.response
        case .drop:
            // Close without answering: the client sees a reset connection, like a dropped link.
            try? await context.channel.close()
            throw CancellationError()
        case .proceed(let rate, let delay):
            if delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000)) }
            let later = configuration.clock.now()
            return store.with { data in
                let reply = r.segments.first == "rest" ? data.route(r, now: later) : .error(404, "no route for \(r.method) \(r.path)")
                return data.finish(reply, for: r, rateHeaders: rate)
            }.response
        }
    }
}
