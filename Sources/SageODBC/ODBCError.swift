/// A failure reading through ODBC: a stable code, the driver's SQLSTATE when there is one, and a message
/// that names the table, column or driver involved and says the fix. Messages never hold a password.
public struct ODBCError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure, stable for scripts and callers to branch on.
    public enum Code: String, Sendable, Hashable, Codable {
        /// No ODBC driver manager library could be loaded (unixODBC/iODBC is not installed).
        case driverManagerMissing = "odbc_driver_manager_missing"
        /// The connection string names a driver or DSN the driver manager does not know, or cannot load.
        case driverMissing = "odbc_driver_missing"
        /// The driver was found but refused the connection (bad path, credentials, server down).
        case connectFailed = "odbc_connect_failed"
        /// A table the query reads does not exist.
        case tableMissing = "odbc_table_missing"
        /// A column the query reads does not exist.
        case columnMissing = "odbc_column_missing"
        /// Any other failure of a statement.
        case queryFailed = "odbc_query_failed"
    }

    public var code: Code
    /// The five-character SQLSTATE of the first diagnostic record, e.g. `42S02`.
    public var sqlState: String?
    public var message: String

    public init(_ code: Code, sqlState: String? = nil, _ message: String) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
    }

    public var description: String { message }
}

/// Connection strings as ODBC writes them: `Key=Value;` pairs, a value in braces may hold `;`.
public enum ConnectionString {
    /// One `key=value` pair and the exact text it came from.
    struct Pair {
        var key: String
        var value: String
        var text: Substring
    }

    /// The pairs in order; a segment without `=` has an empty key and keeps its text.
    static func pairs(_ string: String) -> [Pair] {
        var pairs: [Pair] = []
        var index = string.startIndex
        while index < string.endIndex {
            let start = index
            var key = ""
            var value = ""
            var sawEquals = false
            while index < string.endIndex, string[index] != ";" {
                if string[index] == "=" { sawEquals = true; index = string.index(after: index); break }
                key.append(string[index]); index = string.index(after: index)
            }
            if sawEquals {
                if index < string.endIndex, string[index] == "{" {
                    // `{...}` with `}}` standing for one `}`; everything up to the closing brace is the value.
                    index = string.index(after: index)
                    while index < string.endIndex {
                        if string[index] == "}" {
                            let next = string.index(after: index)
                            if next < string.endIndex, string[next] == "}" { value.append("}"); index = string.index(after: next); continue }
                            index = next
                            break
                        }
                        value.append(string[index]); index = string.index(after: index)
                    }
                }
                while index < string.endIndex, string[index] != ";" { value.append(string[index]); index = string.index(after: index) }
            } else {
                value = key
                key = ""
            }
            pairs.append(Pair(key: key.trimmingSpaces(), value: value, text: string[start..<index]))
            if index < string.endIndex { index = string.index(after: index) }  // the `;`
        }
        return pairs
    }

    /// Whether a key holds a secret: `PWD`, `Password`, and spellings such as `SSLPassword` or `Passwd`.
    static func isSecret(_ key: String) -> Bool {
        let key = key.lowercased()
        return key.contains("pwd") || key.contains("password") || key.contains("passwd")
    }

    /// The value of `key` (case-insensitive), without braces.
    static func value(of key: String, in string: String) -> String? {
        pairs(string).first { $0.key.lowercased() == key.lowercased() }?.value
    }

    /// Whether `string` carries a password (any key `isSecret` recognises).
    public static func holdsSecret(_ string: String) -> Bool {
        pairs(string).contains { isSecret($0.key) }
    }

    /// `string` with `key=value` added, the value in braces (closing braces doubled) when it holds `;`, `{` or `}`.
    public static func adding(_ key: String, _ value: String, to string: String) -> String {
        let written = value.contains(where: { ";{}".contains($0) }) ? "{" + value.replacingAll("}", with: "}}") + "}" : value
        return string.isEmpty || string.hasSuffix(";") ? "\(string)\(key)=\(written)" : "\(string);\(key)=\(written)"
    }

    /// The secret values in `string`, longest first, to scrub from text a driver sends back.
    static func secrets(in string: String) -> [String] {
        pairs(string).filter { isSecret($0.key) && !$0.value.isEmpty }.map(\.value).sorted { $0.count > $1.count }
    }
}

extension ODBCError {
    /// `connectionString` with every password value replaced by `***`, safe for logs and messages.
    public static func redacted(_ connectionString: String) -> String {
        ConnectionString.pairs(connectionString).map { pair in
            ConnectionString.isSecret(pair.key) ? "\(pair.key)=***" : String(pair.text)
        }.joined(separator: ";") + (connectionString.hasSuffix(";") ? ";" : "")
    }

    /// Secrets shorter than this are scrubbed only where they stand alone: a password such as `ab` replaced
    /// everywhere would turn "table" into "t***le" in every message.
    static let scrubbedAnywhereFrom = 6

    /// `text` with every occurrence of one of `secrets` (from `ConnectionString.secrets`) replaced by `***`; a short
    /// secret only where no letter or digit touches it.
    static func scrubbed(_ text: String, secrets: [String]) -> String {
        var text = text
        for secret in secrets {
            text = secret.count >= scrubbedAnywhereFrom ? text.replacingAll(secret, with: "***") : text.replacingWords(secret, with: "***")
        }
        return text
    }
}

extension String {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }

    /// Replaces `target` only where the characters on either side, if any, are neither letters nor digits.
    func replacingWords(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        func standsAlone(_ range: Range<String.Index>) -> Bool {
            let before = range.lowerBound > startIndex ? self[index(before: range.lowerBound)] : nil
            let after = range.upperBound < endIndex ? self[range.upperBound] : nil
            return [before, after].allSatisfy { $0.map { !$0.isLetter && !$0.isNumber } ?? true }
        }
        var result = ""
        var copied = startIndex
        var searchFrom = startIndex
        while searchFrom < endIndex, let range = self[searchFrom...].firstRange(of: target) {
            if standsAlone(range) {
                result += self[copied..<range.lowerBound]
                result += replacement
                copied = range.upperBound
                searchFrom = range.upperBound
            } else {
                searchFrom = index(after: range.lowerBound)
            }
        }
        return result + self[copied...]
    }

    /// Plain substring replacement (SageODBC does not import Foundation).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
