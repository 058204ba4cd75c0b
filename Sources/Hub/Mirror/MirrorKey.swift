import SyncCore

/// The canonical text form of a row's key values, used as the mirror's primary key.
///
/// Values are joined by U+001F; ESC (U+001B) escapes that separator and itself, so distinct
/// keys never collide and a key prefix (`Contract` of `Contract, Item`) is a range scan.
enum MirrorKey {
    static let separator: Character = "\u{1F}"

    static func encode(_ parts: [String]) -> String {
        var out = ""
        for (i, part) in parts.enumerated() {
            if i > 0 { out.append(separator) }
            if part.contains(where: { $0 == "\u{1F}" || $0 == "\u{1B}" }) {
                out += part.replacingOccurrences(of: "\u{1B}", with: "\u{1B}\u{1B}")
                    .replacingOccurrences(of: "\u{1F}", with: "\u{1B}_")
            } else {
                out += part
            }
        }
        return out
    }

    /// Appends one key value's UTF-8 bytes as `encode` spells them (ESC and the separator escaped).
    static func appendEscaped(_ text: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        for b in text {
            switch b {
            case 0x1B: bytes.append(0x1B); bytes.append(0x1B)
            case 0x1F: bytes.append(0x1B); bytes.append(UInt8(ascii: "_"))
            default: bytes.append(b)
            }
        }
    }

    /// The text form a key value is matched by (`key=100` finds integer 100 and text "100").
    static func text(_ value: SyncValue) -> String? {
        switch value {
        case .null: nil
        case .integer(let n): String(n)
        case .text(let s): s
        }
    }

    /// The half-open range of keys that start with `prefix`'s values.
    static func prefixRange(_ prefix: String) -> (lower: String, upper: String) {
        (prefix + "\u{1F}", prefix + "\u{20}")
    }
}
