import Foundation

/// The one rule for text going into Sage: which characters Sage can hold and how a field's length counts.
///
/// Sage 300 CRE keeps text in fixed-length single-byte fields (its Timberline ODBC driver is an
/// ANSI driver), so a field of length 30 holds 30 characters of one Windows code page. No public
/// source names the code page; Tieline assumes Windows-1252, the code page of US and Western
/// European Windows installs (marked "inferred" in the README). Hence:
/// - text is first composed (Unicode NFC), so `e` + U+0301 becomes one `é` and counts once;
/// - every character must exist in Windows-1252 (one byte each); any other is refused by name;
/// - the length is the number of characters (Unicode scalars) of the composed text — what SQLite's
///   `length()` counts in the embedded store, and what one byte per character gives in Sage.
/// Hub validation, the agent's writer and the company store all call this type.
public enum SageText {
    /// The composed form Tieline writes into Sage.
    public static func normalized(_ text: String) -> String {
        // Pure ASCII is already composed; skip Foundation's normalizer on the hot path.
        text.utf8.allSatisfy { $0 < 0x80 } ? text : text.precomposedStringWithCanonicalMapping
    }

    /// Sage's length of `text` as given (call `normalized` first for text from outside).
    public static func length(_ text: String) -> Int { text.unicodeScalars.count }

    /// The first character of `text` that Sage cannot store, if any.
    public static func firstUnstorable(_ text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first { !canStore($0) }
    }

    /// Whether Sage's single-byte text fields can hold the character.
    public static func canStore(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D, 0x20...0x7E, 0xA0...0xFF: return true
        default: return windows1252Extras.contains(scalar.value)
        }
    }

    /// How a person reads the character: `U+0301 COMBINING ACUTE ACCENT`.
    public static func describe(_ scalar: Unicode.Scalar) -> String {
        let code = String(scalar.value, radix: 16, uppercase: true)
        let name = scalar.properties.name ?? scalar.properties.nameAlias ?? "unnamed character"
        return "U+\(String(repeating: "0", count: max(0, 4 - code.count)))\(code) \(name)"
    }

    /// Why `text` cannot go into a field of `limit` characters called `field`, or nil when it can.
    ///
    /// `field` names the place for the user, e.g. `JCM_MASTER__JOB.Description` or `PCCO title`.
    public static func problem(_ text: String, field: String, limit: Int) -> String? {
        if let bad = firstUnstorable(text) {
            return "\(field): '\(text.clipped(60))' contains \(describe(bad)), which Sage's text fields cannot store (they hold Windows-1252 characters only)"
        }
        let length = length(text)
        guard length <= limit else {
            return "\(field): '\(text.clipped(60))' is \(length) characters; Sage allows at most \(limit)"
        }
        return nil
    }

    /// The characters Windows-1252 places at 0x80–0x9F (€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ).
    static let windows1252Extras: Set<UInt32> = [
        0x20AC, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x017D,
        0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x017E, 0x0178,
    ]
}
