import Crypto
import Foundation

/// Agent tokens: `tl_` plus 256 random bits; the hub stores only their SHA-256.
public enum SiteToken {
    /// A new token from the system's cryptographic generator.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let base64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return "tl_" + base64
    }

    /// The stored form: hex SHA-256, so a leaked database does not leak usable tokens.
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
