import Foundation
import TielineCore

/// Connect: the cloud connection (hub URL, site) and its token, validated before saving.
extension AgentConfigStore {
    /// Validates and saves the hub connection; the token goes to the owner-only token file.
    @discardableResult
    public func connect(url: String, site: String, token: String) throws(TielineError) -> HubConnection {
        let hub = try HubConnection.validated(url: url, site: site)
        try HubToken.validate(token)
        // Token first: a config naming a hub without its token would fail every sync.
        try saveToken(token)
        try update { (config: inout AgentConfig) in config.hub = hub }
        return hub
    }
}

extension HubConnection {
    /// A connection with a well-formed `http(s)://host[:port][/path]` URL (trailing `/` dropped)
    /// and a site name of letters, digits, `-`, `_` or `.`.
    public static func validated(url: String, site: String) throws(TielineError) -> HubConnection {
        let text = url.trimmingWhitespace()
        guard let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), scheme == "https" || scheme == "http",
              let host = components.host, !host.isEmpty,
              components.query == nil, components.fragment == nil, components.user == nil, components.password == nil
        else {
            throw TielineError(.invalidHubURL,
                "'\(url.clipped(80))' is not a hub URL; use the form https://hub.example.com (http:// only for a hub on this machine)")
        }
        let siteName = site.trimmingWhitespace()
        guard !siteName.isEmpty, siteName.count <= 64,
              siteName.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw TielineError(.invalidInput, "site '\(site.clipped(70))' is not a site name; use letters, digits, '-', '_' or '.'")
        }
        var normalized = text
        while normalized.hasSuffix("/") { normalized.removeLast() }
        return HubConnection(url: normalized, site: siteName)
    }
}

/// Rules for the hub's agent token, which is a secret: never printed back in full.
public enum HubToken {
    /// Refuses an empty token or one with spaces (usually a copy-paste accident).
    public static func validate(_ token: String) throws(TielineError) {
        guard !token.isEmpty, token.count <= 4096, !token.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw TielineError(.invalidInput, "the token is empty or contains spaces; paste it exactly as the hub issued it")
        }
    }

    /// `tl_…9f3a`: the prefix up to its `_` (if short) and the last four characters.
    /// Tokens under 12 characters show only `…` and their last two, so little leaks.
    public static func masked(_ token: String) -> String {
        guard token.count >= 12 else { return "…" + String(token.suffix(2)) }
        let head = token.prefix(4)
        let prefix = head.firstIndex(of: "_").map { String(head[...$0]) } ?? ""
        return prefix + "…" + String(token.suffix(4))
    }
}

extension TielineError.Code {
    public static let invalidHubURL = Self("invalid_hub_url")
    public static let notConnected = Self("not_connected")
}
