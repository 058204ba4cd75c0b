/// One value read through ODBC.
///
/// Every column is fetched as text (`SQL_C_CHAR`) and then typed by the column's described SQL type:
/// - integer types (INTEGER, SMALLINT, BIGINT, TINYINT, BIT) and DECIMAL/NUMERIC with scale 0 are
///   `.integer` when the text is a whole number that fits Int64, else `.text`;
/// - everything else, including DECIMAL/NUMERIC with decimals, FLOAT, REAL, DOUBLE and dates,
///   is `.text` exactly as the driver formats it (parse money with `Money(parsing:)`, not a Double);
/// - SQL NULL is `.null`.
/// Drivers that type expressions loosely (SQLite's `count(*)`) may give `.text("3")`: use `integerValue`.
public enum ODBCValue: Sendable, Hashable, CustomStringConvertible {
    case null
    case integer(Int64)
    case text(String)

    /// The whole number held, also when the driver returned it as text such as `"42"` or `" 42 "`.
    public var integerValue: Int64? {
        switch self {
        case .integer(let value): value
        case .text(let text): Int64(text.trimmingSpaces())
        case .null: nil
        }
    }

    /// The value as text: integers in decimal, nil for NULL.
    public var textValue: String? {
        switch self {
        case .integer(let value): String(value)
        case .text(let text): text
        case .null: nil
        }
    }

    /// Whether the value is SQL NULL.
    public var isNull: Bool { self == .null }

    public var description: String {
        switch self {
        case .null: "NULL"
        case .integer(let value): String(value)
        case .text(let text): "'\(text)'"
        }
    }
}

extension ODBCValue: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(stringLiteral value: String) { self = .text(value) }
}

/// Bytes from a narrow ("A") ODBC call to a String.
///
/// Drivers on Linux and macOS (SQLite, PostgreSQL) send UTF-8. Windows ANSI drivers such as Sage's
/// Timberline driver send the system code page, assumed Windows-1252 like `SageText`: bytes that are
/// not valid UTF-8 are decoded as Windows-1252, so no byte is lost or replaced by U+FFFD.
enum ODBCText {
    static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        let utf8 = String(decoding: bytes, as: UTF8.self)
        // Valid UTF-8 decodes to the same bytes; invalid bytes would have become U+FFFD.
        if utf8.utf8.elementsEqual(bytes) { return utf8 }
        var text = ""
        text.unicodeScalars.reserveCapacity(bytes.count)
        for byte in bytes {
            let value = byte >= 0x80 && byte < 0xA0 ? windows1252[Int(byte) - 0x80] : UInt32(byte)
            text.unicodeScalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
        }
        return text
    }

    /// Windows-1252's 0x80...0x9F; the five bytes it leaves undefined map to the same C1 control code.
    private static let windows1252: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ]
}
