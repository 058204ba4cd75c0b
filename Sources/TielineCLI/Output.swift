import Foundation
import TielineCore

/// Small text helpers for commands; errors and JSON go through `reporting` and `Console`.
public enum Output {
    /// A line on stderr.
    public static func note(_ text: String) {
        Console.current.err(text)
    }

    /// Pads `text` on the right to `width` characters.
    public static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
