import Crypto
import Foundation
import TielineCore

/// Seals secrets the hub must use later (Procore client secrets) with a key kept outside the database.
///
/// Tokens and passwords the hub only checks are hashed; a client secret has to be sent to Procore,
/// so it is encrypted (AES-GCM) instead, and a copied database alone does not reveal it.
public struct HubSecretBox: Sendable {
    /// The raw 256-bit key (SymmetricKey itself is not Sendable).
    let keyBytes: Data

    public init(key: SymmetricKey) { self.keyBytes = key.withUnsafeBytes { Data($0) } }

    var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// The key in `file`, created (0600) with a fresh random key if it does not exist yet.
    public static func load(keyFile file: URL) throws(TielineError) -> HubSecretBox {
        if let data = try? Data(contentsOf: file) {
            guard let decoded = Data(base64Encoded: String(decoding: data, as: UTF8.self).trimmingWhitespace()), decoded.count == 32 else {
                throw TielineError(.invalidInput, "the hub secret key file \(file.path) does not hold a base64 256-bit key")
            }
            return HubSecretBox(key: SymmetricKey(data: decoded))
        }
        let key = SymmetricKey(size: .bits256)
        let text = key.withUnsafeBytes { Data($0).base64EncodedString() } + "\n"
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(Data(text.utf8), to: file, permissions: 0o600)
        return HubSecretBox(key: key)
    }

    /// The sealed form of `secret` (nonce, ciphertext and tag).
    public func seal(_ secret: String) throws(TielineError) -> Data {
        do {
            guard let combined = try AES.GCM.seal(Data(secret.utf8), using: key).combined else {
                throw TielineError(.internalError, "sealing a secret failed")
            }
            return combined
        } catch let error as TielineError {
            throw error
        } catch {
            throw TielineError(.internalError, "sealing a secret failed: \(error)")
        }
    }

    /// The secret `sealed` holds; a clear error when it was sealed with another key.
    public func open(_ sealed: Data) throws(TielineError) -> String {
        do {
            return String(decoding: try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key), as: UTF8.self)
        } catch {
            throw TielineError(.invalidInput, "a stored Procore client secret cannot be opened with this hub's secret key; link the site again with: tieline hub sites procore SITE ...")
        }
    }
}
