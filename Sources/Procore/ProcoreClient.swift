import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import TielineCore

/// The Procore REST client: OAuth client credentials, company header, paging, rate limits, retries.
///
/// Works unchanged against production, Procore's sandbox and Tieline's loopback sandbox;
/// only `ProcoreConfiguration.endpoints` differs. Secrets and tokens are never logged.
public actor ProcoreClient {
    public nonisolated let configuration: ProcoreConfiguration
    let http: HTTPClient
    let clock: any TielineClock
    let logger: Logger
    /// Jitter factor in [0, 1); injectable so tests are deterministic.
    let jitter: @Sendable () -> Double
    var tokens: TokenCache
    var rateLimit = RateLimitState()

    /// Creates a client; `http` defaults to the process-wide Procore client (`HTTPClient.procore`).
    public init(configuration: ProcoreConfiguration, httpClient: HTTPClient = .procore,
                clock: any TielineClock = SystemClock(), logger: Logger = Logger(label: "tieline.procore"),
                jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.configuration = configuration
        self.http = httpClient
        self.clock = clock
        self.logger = logger
        self.jitter = jitter
        self.tokens = TokenCache()
    }

    // MARK: Calls

    /// Sends one API call (with retries) and returns its successful answer.
    public func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [],
                     json body: JSONValue? = nil) async throws -> ProcoreResponse {
        let url = try apiURL(path, query: query)
        return try await send(method, url: url, body: body.map { Data($0.serialized().utf8) })
    }

    /// GETs one JSON document.
    public func getJSON(_ path: String, query: [(String, String)] = []) async throws -> JSONValue {
        try await send(.GET, path, query: query).json(context: "GET \(path)")
    }

    /// GETs every page of a list, following `Link: rel="next"` (or `Total` when Link is absent).
    public func getAll(_ path: String, query: [(String, String)] = []) async throws -> [JSONValue] {
        var items: [JSONValue] = []
        var page = try await getPage(path, query: query, page: 1)
        var number = 1
        while true {
            items += page.items
            // An empty page ends the walk even if headers disagree, so a lying Total cannot loop us.
            guard !page.items.isEmpty, number < 100_000 else { break }
            if let next = page.next {
                page = try await getPage(url: try followable(next), context: "GET \(path)")
            } else if let total = page.total, items.count < total {
                page = try await getPage(path, query: query, page: number + 1)
            } else {
                break
            }
            number += 1
        }
        return items
    }

    /// GETs page `page` of a list.
    public func getPage(_ path: String, query: [(String, String)] = [], page: Int) async throws -> ProcorePage {
        let paged = query + [("page", String(page)), ("per_page", String(configuration.perPage))]
        return try await getPage(url: try apiURL(path, query: paged), context: "GET \(path)")
    }

    func getPage(url: URL, context: String) async throws -> ProcorePage {
        let response = try await send(.GET, url: url, body: nil)
        let document = try response.json(context: context)
        let items: [JSONValue]
        switch document {
        case .array(let list): items = list
        // REST v2.0 wraps lists as {"data": [...]}.
        case .object(let fields):
            guard case .array(let list)? = fields["data"] else {
                throw TielineError(.procorePayload, "\(context): expected a list, found an object without a data array")
            }
            items = list
        default:
            throw TielineError(.procorePayload, "\(context): expected a list, found \(document.typeName)")
        }
        return ProcorePage(items: items, total: response.header("Total").flatMap { Int($0) },
                           next: ResponseHeaders.nextLink(response.header("Link")))
    }

    // MARK: URLs

    func apiURL(_ path: String, query: [(String, String)]) throws(TielineError) -> URL {
        var components = URLComponents(url: configuration.endpoints.apiBaseURL, resolvingAgainstBaseURL: false)!
        components.percentEncodedPath = components.percentEncodedPath.trimmingSuffix("/") + path
        if !query.isEmpty { components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        // '+' is a space to Rails; encode it so ISO dates with offsets survive.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        guard let url = components.url else { throw TielineError(.invalidInput, "cannot build a URL for \(path)") }
        return url
    }

    /// A `Link` target, accepted only on the API host so the bearer token never leaves it.
    func followable(_ link: String) throws(TielineError) -> URL {
        let base = configuration.endpoints.apiBaseURL
        guard let url = URL(string: link, relativeTo: base)?.absoluteURL,
              url.scheme == base.scheme, url.host == base.host, url.port == base.port else {
            throw TielineError(.procorePayload, "Link header points away from the API host: \(link.clipped(200))")
        }
        return url
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
