import Foundation
import TielineCore

/// One HTTP answer from Procore, reduced to what the client reads.
public struct ProcoreResponse: Sendable {
    public let status: Int
    /// Header values by lower-cased name (the last value wins).
    public let headers: [String: String]
    public let body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A header by case-insensitive name.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The body parsed as JSON, with `context` naming the call in any error.
    public func json(context: String) throws(TielineError) -> JSONValue {
        try JSONValue.parse(body, context: context)
    }

    /// Procore's error text from a body like `{"error": "..."}`, `{"message": "..."}` or `{"errors": ...}`.
    var procoreMessage: String? {
        guard let value = try? JSONValue.parse(body), case .object(let fields) = value else { return nil }
        for key in ["error_description", "error", "message", "errors"] {
            switch fields[key] {
            case .string(let s)?: return s.clipped(500)
            case .some(let v) where v != .null: return v.serialized().clipped(500)
            default: continue
            }
        }
        return nil
    }
}

/// A list page: its items and the paging headers that came with it.
public struct ProcorePage: Sendable {
    public let items: [JSONValue]
    /// `Total`: how many items exist across all pages, when Procore says.
    public let total: Int?
    /// The `rel="next"` URL, when there is another page.
    public let next: String?
}
