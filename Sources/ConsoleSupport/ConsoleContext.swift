import Hummingbird

/// A request context that carries what the console middleware found: the posted form and the
/// CSRF token this request's forms must carry.
public protocol ConsoleRequestContext: RequestContext {
    var console: ConsoleRequestState { get set }
}

/// Per-request console state, filled in by the session and CSRF middleware.
public struct ConsoleRequestState: Sendable {
    /// The posted form (empty for GET).
    public var form = FormData()
    /// The token forms on this page carry: the session's, or the pre-sign-in cookie's.
    public var csrf = ""
    /// Whether a signed-in session was found (set by the console's session middleware).
    public var signedIn = false

    public init() {}
}
