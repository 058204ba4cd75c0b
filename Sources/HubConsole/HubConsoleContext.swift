import ConsoleSupport
import Hub
import Hummingbird
import TielineCore

/// The hub console's request context, derived from the hub's: the console's form and CSRF token,
/// and the signed-in session, whose user's site bounds everything the request can see.
public struct HubConsoleContext: ChildRequestContext, ConsoleRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var console = ConsoleRequestState()
    /// Set by the session middleware when the browser is signed in.
    public var session: ConsoleSession?
    /// The cookie's session id (only its hash is stored), for Sign out.
    var sessionID: String?
    /// The peer's IP address, for sign-in throttling.
    public var clientAddress: String

    public init(context: HubRequestContext) throws {
        coreContext = context.coreContext
        clientAddress = context.clientAddress
    }

    public var maxUploadSize: Int { CSRFMiddleware<Self>.maxFormBytes }

    /// The signed-in user; routes behind `RequireHubSignIn` can rely on it.
    func user() throws -> ConsoleUser {
        guard let session else { throw TielineError(.unauthorized, "sign in first") }
        return session.user
    }
}
