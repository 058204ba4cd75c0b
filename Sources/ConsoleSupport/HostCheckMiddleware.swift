import Foundation
import Hummingbird
import TielineCore

/// Refuses requests addressed to any host but the console's own: a DNS-rebinding page (served from
/// `evil.example`, then resolved to 127.0.0.1) reaches a loopback console with `Host: evil.example`,
/// so checking Host (and Origin, when a browser sends one) keeps it out, before and after sign-in.
public struct HostCheckMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Host names (no port) the console answers to, lowercased.
    public let allowed: Set<String>

    /// The loopback names, plus `host` (the address the console listens on) and `extra` names.
    public init(host: String, extra: [String] = []) {
        var names: Set<String> = ["127.0.0.1", "localhost", "::1", "[::1]"]
        for name in [host] + extra where !name.isEmpty && name != "0.0.0.0" && name != "::" {
            names.insert(name.lowercased())
        }
        allowed = names
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let authority = request.head.authority, allowed.contains(Self.hostName(authority)) else {
            throw TielineError(.hostRefused, "this console answers only at its own address (\(allowed.sorted().joined(separator: ", "))); the request named '\((request.head.authority ?? "no host").prefix(100))'")
        }
        if let origin = request.headers[.origin], origin != "null" {
            guard let url = URL(string: origin), let host = url.host, allowed.contains(host.lowercased()) else {
                throw TielineError(.hostRefused, "this console refuses pages from another site ('\(origin.prefix(100))')")
            }
        }
        return try await next(request, context)
    }

    /// `host[:port]` or `[v6]:port` → the host name, lowercased.
    static func hostName(_ authority: String) -> String {
        let lower = authority.lowercased()
        if lower.hasPrefix("["), let end = lower.firstIndex(of: "]") { return String(lower[...end]) }
        if let colon = lower.lastIndex(of: ":"), lower.firstIndex(of: ":") == colon { return String(lower[..<colon]) }
        return lower
    }
}

extension TielineError.Code {
    /// A request addressed to a host the console does not answer to (DNS rebinding).
    public static let hostRefused = Self("host_refused")
}
