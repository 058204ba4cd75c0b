/// An error with a stable machine-readable code and a message a user can act on.
///
/// Modules add their own codes in extensions of `TielineError.Code`, so a script reading
/// `--json` output can branch on `code` while a person reads `message`.
public struct TielineError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable identifier for the kind of failure, e.g. `field_too_long`.
    public struct Code: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

extension TielineError.Code {
    public static let invalidMoney = Self("invalid_money")
    public static let invalidDate = Self("invalid_date")
    public static let fileWrite = Self("file_write")
    public static let invalidInput = Self("invalid_input")
    public static let notFound = Self("not_found")
    public static let conflict = Self("conflict")
}
