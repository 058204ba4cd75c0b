import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Procore
import TielineCore

/// Hummingbird's request context plus the channel, so a fault can drop the connection.
struct SandboxContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// An answer before it becomes a Hummingbird response.
struct SandboxReply: Sendable {
    var status: Int
    var json: JSONValue?
    var headers: [(String, String)] = []
    /// Raw body text; overrides `json` (used for the malformed-JSON fault).
    var raw: String?

    static func ok(_ json: JSONValue, headers: [(String, String)] = []) -> SandboxReply {
        SandboxReply(status: 200, json: json, headers: headers)
    }

    /// Procore's API error shape: `{"errors": "..."}`.
    static func error(_ status: Int, _ message: String, headers: [(String, String)] = []) -> SandboxReply {
        SandboxReply(status: status, json: .object(["errors": .string(message)]), headers: headers)
    }

    var response: Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json; charset=utf-8"
        for (name, value) in headers {
            if let n = HTTPField.Name(name) { fields[n] = value }
        }
        let text = raw ?? json?.serialized() ?? ""
        return Response(status: HTTPResponse.Status(code: status), headers: fields,
                        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

/// The parts of a request the sandbox routes on.
struct SandboxRequest: Sendable {
    var method: String
    var path: String
    var segments: [String]
    var query: [String: String]
    var headers: [String: String]
    var body: Data
    /// `http://host:port`, for absolute Link URLs.
    var origin: String

    func header(_ name: String) -> String? { headers[name.lowercased()] }

    var json: JSONValue {
        get throws(TielineError) { try JSONValue.parse(body, context: "request body") }
    }

    static func decodeQuery(_ query: String?) -> [String: String] {
        var result: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            if let key = kv.first { result[key] = kv.count > 1 ? kv[1] : "" }
        }
        return result
    }
}

extension SandboxData {
    /// One page of `items` with Procore's `Total`, `Per-Page` and `Link` headers.
    static func page(_ items: [JSONValue], _ request: SandboxRequest) -> SandboxReply {
        let pageText = request.query["page"] ?? "1", perText = request.query["per_page"] ?? "100"
        guard let page = Int(pageText), (1...1_000_000).contains(page) else { return .error(400, "page must be a positive integer") }
        // The pagination guide recommends at most 2,000 and does not say what a larger value does; the sandbox
        // caps it there (ProPyCore asks for 10,000 companies) and says so in Per-Page.
        guard let asked = Int(perText), asked >= 1 else { return .error(400, "per_page must be a positive integer") }
        let per = min(asked, 2000)
        let start = min(items.count, (page - 1) * per)
        let slice = Array(items[start..<min(items.count, start + per)])
        let lastPage = max(1, (items.count + per - 1) / per)
        func link(_ n: Int) -> String {
            var q = request.query
            q["page"] = String(n)
            q["per_page"] = String(per)
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let text = q.keys.sorted().map { "\($0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\(q[$0]!.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
                .joined(separator: "&")
            return "<\(request.origin)\(request.path)?\(text)>"
        }
        // As procore/documentation's pagination guide shows them: `first` from page 2, `prev` from page 3
        // (on page 2 it would repeat `first`), `last` always, `next` except on the last page; in that order.
        var links: [String] = []
        if page >= 2 { links.append("\(link(1)); rel=\"first\"") }
        if page >= 3 { links.append("\(link(page - 1)); rel=\"prev\"") }
        links.append("\(link(lastPage)); rel=\"last\"")
        if page < lastPage { links.append("\(link(page + 1)); rel=\"next\"") }
        return .ok(.array(slice), headers: [("Total", String(items.count)), ("Per-Page", String(per)), ("Link", links.joined(separator: ", "))])
    }
}
