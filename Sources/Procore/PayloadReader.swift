import TielineCore

/// A position in a JSON payload that reads typed fields and names the exact path on failure.
///
/// Unknown fields are ignored on purpose: Procore adds fields to its payloads freely, and the
/// ERP Events Dictionary shows dozens Tieline never needs. Known fields are checked strictly.
public struct PayloadReader: Sendable {
    /// The value at this position.
    public let value: JSONValue
    /// The path from the payload root, e.g. `prime_contract_change_order_items[1]`.
    public let path: String

    /// Identifiers and codes longer than this are hostile or corrupt, not Procore data.
    public static let maxCodeLength = 255
    /// Free text (titles, descriptions) longer than this is rejected rather than carried along.
    public static let maxTextLength = 10_000

    public init(_ value: JSONValue, path: String = "") {
        self.value = value
        self.path = path
    }

    func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func failure(_ path: String, _ problem: String) -> TielineError {
        TielineError(.procorePayload, "\(path.isEmpty ? "payload" : path): \(problem)")
    }

    /// The fields of this object, or an error naming the path.
    func fields() throws(TielineError) -> [String: JSONValue] {
        guard case .object(let fields) = value else { throw failure(path, "expected an object, found \(value.typeName)") }
        return fields
    }

    /// The field `key`, which must be present and not null.
    public func required(_ key: String) throws(TielineError) -> PayloadReader {
        let p = childPath(key)
        guard let v = try fields()[key] else { throw failure(p, "missing") }
        if case .null = v { throw failure(p, "is null") }
        return PayloadReader(v, path: p)
    }

    /// The field `key`, or nil when it is absent or null.
    public func optional(_ key: String) throws(TielineError) -> PayloadReader? {
        guard let v = try fields()[key] else { return nil }
        if case .null = v { return nil }
        return PayloadReader(v, path: childPath(key))
    }

    /// This value as a string of at most `maxLength` characters.
    public func asString(maxLength: Int = PayloadReader.maxCodeLength, allowEmpty: Bool = true) throws(TielineError) -> String {
        guard case .string(let s) = value else { throw failure(path, "expected a string, found \(value.typeName)") }
        // Count UTF-8 first: cheap on huge hostile strings, and never shorter than characters.
        if s.utf8.count > maxLength, s.count > maxLength {
            throw failure(path, "\(s.count) characters is longer than the \(maxLength) allowed")
        }
        if !allowEmpty, s.trimmingWhitespace().isEmpty { throw failure(path, "is empty") }
        return s
    }

    /// This value as a whole-number Procore id.
    public func asInt() throws(TielineError) -> Int {
        guard case .number(let text) = value else { throw failure(path, "expected an integer id, found \(value.typeName)") }
        guard let n = Int(text) else { throw failure(path, "'\(text.clipped(40))' is not an integer id") }
        return n
    }

    /// This value as exact money: a decimal string (Procore's form) or a plain JSON number.
    ///
    /// Negative amounts are accepted deliberately: a negative PCCO line is a legitimate credit
    /// in Procore (a deduct change order). Only non-numeric text, more than two decimals,
    /// exponents and out-of-range values are rejected.
    public func asMoney() throws(TielineError) -> Money {
        switch value {
        case .string(let s):
            guard s.utf8.count <= 64 else { throw failure(path, "\(s.count) characters is not a decimal amount") }
            return try Money(parsing: s, field: path)
        case .number(let text):
            return try Money(parsing: text, field: path)
        default:
            throw failure(path, "expected a decimal amount, found \(value.typeName)")
        }
    }

    /// This value as an array of readers, one per element, each knowing its index.
    public func asArray() throws(TielineError) -> [PayloadReader] {
        guard case .array(let items) = value else { throw failure(path, "expected an array, found \(value.typeName)") }
        return items.enumerated().map { PayloadReader($0.element, path: "\(path)[\($0.offset)]") }
    }

    /// A required string field.
    public func string(_ key: String, maxLength: Int = PayloadReader.maxCodeLength, allowEmpty: Bool = true) throws(TielineError) -> String {
        try required(key).asString(maxLength: maxLength, allowEmpty: allowEmpty)
    }

    /// An optional string field (absent or null gives nil).
    public func optionalString(_ key: String, maxLength: Int = PayloadReader.maxCodeLength) throws(TielineError) -> String? {
        try optional(key)?.asString(maxLength: maxLength)
    }

    /// A required integer id field.
    public func int(_ key: String) throws(TielineError) -> Int { try required(key).asInt() }

    /// An optional integer id field.
    public func optionalInt(_ key: String) throws(TielineError) -> Int? { try optional(key)?.asInt() }

    /// A required money field.
    public func money(_ key: String) throws(TielineError) -> Money { try required(key).asMoney() }

    /// A required array field.
    public func array(_ key: String) throws(TielineError) -> [PayloadReader] { try required(key).asArray() }

    /// An optional array field (absent or null gives an empty array).
    public func optionalArray(_ key: String) throws(TielineError) -> [PayloadReader] { try optional(key)?.asArray() ?? [] }

    /// An optional `YYYY-MM-DD` date field.
    public func optionalDate(_ key: String) throws(TielineError) -> CalendarDate? {
        guard let r = try optional(key) else { return nil }
        let text = try r.asString(maxLength: 64)
        return try CalendarDate(parsing: text, field: r.path)
    }
}
