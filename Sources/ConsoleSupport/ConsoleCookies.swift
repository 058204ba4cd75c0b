import Foundation
import Hummingbird

/// How a console's cookies are made: HttpOnly, SameSite=Strict, scoped to the console's path,
/// and Secure where the console is served over HTTPS.
public struct ConsoleCookies: Sendable {
    /// The session cookie's name.
    public let sessionName: String
    /// The pre-sign-in CSRF cookie's name.
    public let formName: String
    /// The name of the cookie carrying a one-time message to the next page (after a redirect).
    public let flashName: String
    /// The console's path prefix ("/" or "/console").
    public let path: String
    /// Sets the Secure attribute: the browser then sends the cookie over HTTPS (and loopback) only.
    public let secure: Bool

    /// Cookies named `prefix_session`, `prefix_form` and `prefix_flash`: each console has its own, since
    /// browsers share cookies between ports of one host.
    public init(prefix: String, path: String, secure: Bool) {
        sessionName = prefix + "_session"
        formName = prefix + "_form"
        flashName = prefix + "_flash"
        self.path = path.isEmpty ? "/" : path
        self.secure = secure
    }

    /// A cookie with this console's attributes; `maxAge` 0 deletes it.
    public func cookie(_ name: String, _ value: String, maxAge: Int? = nil) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: path, secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// The session cookie (a browser-session cookie: gone when the browser closes).
    public func session(_ id: String) -> Cookie { cookie(sessionName, id) }

    /// Deletes the session cookie.
    public func clearSession() -> Cookie { cookie(sessionName, "x", maxAge: 0) }
}

/// A message carried to the page after a redirect, in a short-lived cookie.
public struct Flash: Sendable, Hashable {
    public enum Kind: String, Sendable { case notice = "n", error = "e" }
    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The cookie value: kind and message, base64url so any text is a valid cookie.
    var encoded: String {
        Data((kind.rawValue + ":" + message.prefix(500)).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Reads a flash cookie value back.
    init?(encoded value: String) {
        var base64 = value.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
              text.count > 2, let kind = Kind(rawValue: String(text.prefix(1))) else { return nil }
        self.kind = kind
        self.message = String(text.dropFirst(2))
    }

    /// The flash the request carries, if any.
    public static func read(_ request: Request, cookies: ConsoleCookies) -> Flash? {
        request.cookies[cookies.flashName].flatMap { Flash(encoded: $0.value) }
    }
}
