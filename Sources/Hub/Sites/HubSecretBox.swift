import Crypto
import Foundation
import TielineCore

/// The hub seals Procore client secrets (they must be sent to Procore) with `SecretBox`.
public typealias HubSecretBox = SecretBox

extension SecretBox {
    /// What a Procore client secret sealed with another key says.
    static let procoreCannotOpen = "a stored Procore client secret cannot be opened with this hub's secret key; link the site again with: tieline hub sites procore SITE ..."

    /// The hub's key in `file` (created 0600 if missing).
    public static func load(keyFile file: URL) throws(TielineError) -> SecretBox {
        try load(keyFile: file, cannotOpen: procoreCannotOpen)
    }

    /// A box over `key` for Procore client secrets.
    public init(key: SymmetricKey) { self.init(key: key, cannotOpen: SecretBox.procoreCannotOpen) }
}
