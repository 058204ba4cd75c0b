/// An exact amount of money in cents. Never a floating-point value.
///
/// Sage 300 CRE keeps money as doubles and Procore sends it as decimal strings; Tieline
/// parses those strings digit by digit and stores whole cents, so sums are exact.
public struct Money: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The amount in cents (hundredths of the currency unit).
    public var cents: Int64

    /// The largest magnitude accepted: 9,999,999,999,999.99, far above any contract.
    public static let maxCents: Int64 = 999_999_999_999_999

    public static let zero = Money(cents: 0)

    public init(cents: Int64) { self.cents = cents }

    /// Parses a decimal string such as `"10000.00"`, `"-12.5"` or `"7"`.
    ///
    /// More than two decimals, exponents, thousands separators and anything that is not a
    /// plain decimal number are errors rather than silently rounded.
    public init(parsing text: String, field: String = "amount") throws(TielineError) {
        // Every export line's amounts pass here: well-formed ASCII is read byte by byte; anything
        // else takes the path below, which finds the problem and names it.
        if let cents = Self.plainCents(text.utf8) {
            self.cents = cents
            return
        }
        let trimmed = text.trimmingWhitespace()
        var digits = Substring(trimmed)
        var negative = false
        if digits.first == "-" || digits.first == "+" {
            negative = digits.first == "-"
            digits = digits.dropFirst()
        }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count > 1 ? parts[1] : ""
        guard !whole.isEmpty || !fraction.isEmpty,
              whole.allSatisfy({ $0.isASCII && $0.isNumber }),
              fraction.allSatisfy({ $0.isASCII && $0.isNumber }),
              !(parts.count > 1 && fraction.isEmpty && whole.isEmpty)
        else {
            throw TielineError(.invalidMoney, "\(field): '\(text.clipped(40))' is not a decimal amount")
        }
        // Trailing zeros beyond cents are exact ("1.500"), other extra digits are not.
        var frac = Substring(fraction)
        while frac.count > 2, frac.last == "0" { frac = frac.dropLast() }
        guard frac.count <= 2 else {
            throw TielineError(.invalidMoney, "\(field): '\(text.clipped(40))' has more than 2 decimals")
        }
        let wholeDigits = whole.drop(while: { $0 == "0" })
        guard wholeDigits.count <= 13 else {
            throw TielineError(.invalidMoney, "\(field): '\(text.clipped(40))' exceeds the largest amount, 9999999999999.99")
        }
        let wholeValue = Int64(wholeDigits.isEmpty ? "0" : String(wholeDigits))!
        let paddedFraction = String(frac) + String(repeating: "0", count: 2 - frac.count)
        let value = wholeValue * 100 + Int64(paddedFraction)!
        self.cents = negative ? -value : value
    }

    /// The cents of a well-formed ASCII amount (what `init(parsing:)` accepts), or nil for anything else.
    static func plainCents(_ utf8: String.UTF8View) -> Int64? {
        var start = utf8.startIndex
        var end = utf8.endIndex
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        while start < end, isSpace(utf8[start]) { start = utf8.index(after: start) }
        while start < end, isSpace(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
        var negative = false
        if start < end, utf8[start] == UInt8(ascii: "-") || utf8[start] == UInt8(ascii: "+") {
            negative = utf8[start] == UInt8(ascii: "-")
            start = utf8.index(after: start)
        }
        var whole: Int64 = 0
        var wholeDigits = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var trailingZeros = 0
        var seenPoint = false
        var anyDigit = false
        var index = start
        while index < end {
            let byte = utf8[index]
            index = utf8.index(after: index)
            if byte == UInt8(ascii: ".") && !seenPoint {
                seenPoint = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            anyDigit = true
            let digit = Int64(byte - UInt8(ascii: "0"))
            if !seenPoint {
                if wholeDigits == 0 && digit == 0 { continue }
                wholeDigits += 1
                guard wholeDigits <= 13 else { return nil }
                whole = whole * 10 + digit
            } else if fractionDigits < 2 {
                fractionDigits += 1
                fraction = fraction * 10 + digit
            } else {
                // Beyond cents only zeros are exact.
                guard digit == 0 else { return nil }
                trailingZeros += 1
            }
        }
        guard anyDigit else { return nil }
        if fractionDigits == 1 { fraction *= 10 }
        let value = whole * 100 + fraction
        return negative ? -value : value
    }

    /// The amount as a plain decimal string with exactly two decimals, e.g. `"-1500.00"`.
    public var description: String {
        let magnitude = cents.magnitude
        let fraction = magnitude % 100
        return (cents < 0 ? "-" : "") + "\(magnitude / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.cents < rhs.cents }
    public static func + (lhs: Money, rhs: Money) -> Money { Money(cents: lhs.cents + rhs.cents) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(cents: lhs.cents - rhs.cents) }
    public static prefix func - (value: Money) -> Money { Money(cents: -value.cents) }
    public static func += (lhs: inout Money, rhs: Money) { lhs.cents += rhs.cents }
    public static func -= (lhs: inout Money, rhs: Money) { lhs.cents -= rhs.cents }

    /// Money is written as a decimal string on every wire, as Procore does.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Accepts a decimal string, or a JSON number whose text is a plain decimal.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let field = decoder.codingPath.last?.stringValue ?? "amount"
        if let text = try? container.decode(String.self) {
            self = try Money(parsing: text, field: field)
        } else if let integer = try? container.decode(Int64.self) {
            guard integer.magnitude <= UInt64(Money.maxCents / 100) else {
                throw TielineError(.invalidMoney, "\(field): \(integer) exceeds the largest amount")
            }
            self.init(cents: integer * 100)
        } else if let number = try? container.decode(Double.self), number.isFinite {
            // A JSON number with a fraction: re-read its shortest decimal text, never its binary value.
            self = try Money(parsing: "\(number)", field: field)
        } else {
            throw TielineError(.invalidMoney, "\(field): expected a decimal amount")
        }
    }
}

extension Sequence where Element == Money {
    /// The exact sum of the amounts.
    public func sum() -> Money { reduce(.zero, +) }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    public func trimmingWhitespace() -> String {
        // Nothing to trim is the common case: answered from the UTF-8 ends without walking characters.
        if let first = utf8.first, let last = utf8.last, first > 0x20, last > 0x20, last < 0x80 { return self }
        // "\r\n" is one Character in Swift: named, so a Windows line end is trimmed like the byte-wise reading does.
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        return String(self.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }

    /// The string cut to `limit` characters with an ellipsis, for error messages only.
    public func clipped(_ limit: Int) -> String {
        count <= limit ? self : String(prefix(limit)) + "…"
    }
}
