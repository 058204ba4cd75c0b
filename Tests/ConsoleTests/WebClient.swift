import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A minimal browser for tests: keeps cookies, never follows redirects, posts forms, and reads
/// the CSRF token out of the last page it fetched.
final class WebClient: @unchecked Sendable {
    struct Page {
        var status: Int
        var headers: HTTPHeaders
        var body: String
        var location: String? { headers.first(name: "location") }
        var setCookies: [String] { headers["set-cookie"] }

        /// The CSRF token the page's forms carry.
        var csrf: String? {
            guard let range = body.range(of: #"name="csrf" value="([^"]+)""#, options: .regularExpression) else { return nil }
            let match = String(body[range])
            return match.components(separatedBy: "value=\"").last.map { String($0.dropLast()) }
        }
    }

    let base: String
    let client: HTTPClient
    private(set) var cookies: [String: String] = [:]

    init(base: String) {
        self.base = base
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
    }

    func close() async throws { try await client.shutdown() }

    func get(_ path: String) async throws -> Page {
        try await send(path, method: .GET, body: nil)
    }

    /// Posts `fields` urlencoded, as a browser submits a form.
    func post(_ path: String, _ fields: [(String, String)]) async throws -> Page {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
        return try await send(path, method: .POST, body: body)
    }

    private func send(_ path: String, method: HTTPMethod, body: String?) async throws -> Page {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if !cookies.isEmpty { request.headers.add(name: "cookie", value: cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ")) }
        if let body {
            request.headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 8 << 20)
        for header in response.headers["set-cookie"] { remember(header) }
        return Page(status: Int(response.status.code), headers: response.headers, body: String(buffer: buffer))
    }

    private func remember(_ header: String) {
        let parts = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let pair = parts.first, let eq = pair.firstIndex(of: "=") else { return }
        let name = String(pair[..<eq]), value = String(pair[pair.index(after: eq)...])
        if parts.contains(where: { $0.lowercased() == "max-age=0" }) { cookies[name] = nil } else { cookies[name] = value }
    }

    /// Sets a cookie as if a server had.
    func setCookie(_ name: String, _ value: String) { cookies[name] = value }

    /// Drops every cookie (a different browser).
    func forgetCookies() { cookies = [:] }
}

/// Runs `body` with a web client for `base`, closing it afterwards.
func withWeb<T>(_ base: String, _ body: (WebClient) async throws -> T) async throws -> T {
    let web = WebClient(base: base)
    do {
        let result = try await body(web)
        try await web.close()
        return result
    } catch {
        try? await web.close()
        throw error
    }
}

/// A fresh folder under the system temp directory.
func makeTempFolder(_ prefix: String) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
