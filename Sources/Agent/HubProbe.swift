import AsyncHTTPClient
import Foundation
import NIOCore
import TielineCore

/// What the hub said when asked who we are (`GET {hub}/v1/site`).
public enum HubProbeResult: Sendable, Hashable {
    /// 200 with the site the token belongs to.
    case ok(site: String)
    /// 401: the hub does not accept the token.
    case unauthorized
    /// The token is valid but for another site than the one configured.
    case siteMismatch(expected: String, actual: String)
    /// Any other answer.
    case unexpected(status: Int, body: String)
    /// No answer: refused, DNS failure, TLS failure or timeout.
    case unreachable(String)

    /// Whether the hub answered and accepted the token for the configured site.
    public var passed: Bool { if case .ok = self { true } else { false } }

    /// One line for a person.
    public var summary: String {
        switch self {
        case .ok(let site): "the hub answers and accepts the token for site '\(site)'"
        case .unauthorized: "the hub answers but rejects the token (401)"
        case .siteMismatch(let expected, let actual): "the token belongs to site '\(actual)', not '\(expected)'"
        case .unexpected(let status, let body): "the hub answered HTTP \(status)" + (body.isEmpty ? "" : ": \(body.clipped(120))")
        case .unreachable(let reason): "the hub does not answer: \(reason)"
        }
    }
}

/// The small readiness probe `connect --check` and `doctor` use. Outbound only, short timeout.
public enum HubProbe {
    /// Checks that `hub` answers and accepts `token`; never throws, every outcome is a result.
    public static func check(_ hub: HubConnection, token: String, timeout: Duration = .seconds(5)) async -> HubProbeResult {
        var request = HTTPClientRequest(url: hub.url + "/v1/site")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        let (seconds, attos) = timeout.components
        let amount = TimeAmount.nanoseconds(seconds * 1_000_000_000 + attos / 1_000_000_000)
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: amount)
            let buffer = try await response.body.collect(upTo: 64 * 1024)
            let body = String(buffer: buffer)
            switch response.status.code {
            case 200:
                struct SiteAnswer: Decodable { let site: String }
                guard let answer = try? JSONDecoder().decode(SiteAnswer.self, from: Data(body.utf8)) else {
                    return .unexpected(status: 200, body: "not the hub's {\"site\": …} answer")
                }
                return answer.site == hub.site ? .ok(site: answer.site) : .siteMismatch(expected: hub.site, actual: answer.site)
            case 401, 403:
                return .unauthorized
            default:
                return .unexpected(status: Int(response.status.code), body: body)
            }
        } catch {
            return .unreachable(String(describing: error))
        }
    }
}
