import Crypto
import Foundation

/// Seals secrets that must be used later (a Procore client secret, an ODBC password) with a key
/// kept in its own owner-only file, so a copied configuration or database alone does not reveal them.
///
/// What is only ever checked (tokens, console passwords) is hashed instead, never sealed.
public struct SecretBox: Sendable {
    /// The raw 256-bit key (SymmetricKey itself is not Sendable).
    let keyBytes: Data
    /// Said when a sealed secret does not open with this key: what it was and how to store it again.
    let cannotOpen: String

    public init(key: SymmetricKey, cannotOpen: String) {
        self.keyBytes = key.withUnsafeBytes { Data($0) }
        self.cannotOpen = cannotOpen
    }

    var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// The key in `file`, created (0600) with a fresh random key if it does not exist yet.
    public static func load(keyFile file: URL, cannotOpen: String) throws(TielineError) -> SecretBox {
        if let data = try? Data(contentsOf: file) {
            guard let decoded = Data(base64Encoded: String(decoding: data, as: UTF8.self).trimmingWhitespace()), decoded.count == 32 else {
                throw TielineError(.invalidInput, "the secret key file \(file.path) does not hold a base64 256-bit key")
            }
            return SecretBox(key: SymmetricKey(data: decoded), cannotOpen: cannotOpen)
        }
        let key = SymmetricKey(size: .bits256)
        let text = key.withUnsafeBytes { Data($0).base64EncodedString() } + "\n"
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(Data(text.utf8), to: file, permissions: 0o600)
        return SecretBox(key: key, cannotOpen: cannotOpen)
    }

    /// The sealed form of `secret` (nonce, ciphertext and tag).
    public func seal(_ secret: String) throws(TielineError) -> Data {
        do {
            guard let combined = try AES.GCM.seal(Data(secret.utf8), using: key).combined else {
                throw TielineError(.init("internal_error"), "sealing a secret failed")
            }
            return combined
        } catch let error as TielineError {
            throw error
        } catch {
            throw TielineError(.init("internal_error"), "sealing a secret failed: \(error)")
        }
    }

    /// The secret `sealed` holds; the box's `cannotOpen` message when it was sealed with another key.
    public func open(_ sealed: Data) throws(TielineError) -> String {
        do {
            return String(decoding: try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key), as: UTF8.self)
        } catch {
            throw TielineError(.invalidInput, cannotOpen)
        }
    }
}
