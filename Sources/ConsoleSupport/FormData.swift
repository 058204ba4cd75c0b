import Foundation

/// A submitted HTML form (`application/x-www-form-urlencoded`), keeping repeated fields in order.
public struct FormData: Sendable, Hashable {
    /// Every field as submitted, in order; a checkbox group repeats its name.
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(name: String, value: String)] = []) { self.fields = fields }

    /// Parses a urlencoded body or query string (`a=1&b=x+y&c=%2F`).
    public init(urlEncoded text: String) {
        fields = text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    /// The first value of `name`, or nil when the field was not sent.
    public subscript(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    /// Every value of `name` (a checkbox group), in order.
    public func values(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    /// The trimmed value of `name`, or "" when absent.
    public func text(_ name: String) -> String { self[name]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "" }

    static func decode(_ part: Substring) -> String {
        let spaced = part.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    public static func == (a: FormData, b: FormData) -> Bool {
        a.fields.map(\.name) == b.fields.map(\.name) && a.fields.map(\.value) == b.fields.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        for field in fields { hasher.combine(field.name); hasher.combine(field.value) }
    }
}

extension String {
    /// The text percent-encoded for a query value (`Transaction (JC)` → `Transaction%20(JC)`).
    public var queryEncoded: String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~()")
        return addingPercentEncoding(withAllowedCharacters: allowed) ?? self
    }
}
