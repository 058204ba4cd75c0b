import ConsoleSupport
import Hummingbird

/// The agent console's request context: Hummingbird's core plus the console's form, CSRF token and session.
public struct AgentConsoleContext: ConsoleRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var console = ConsoleRequestState()
    /// The signed-in session's id (the cookie value), if any.
    var sessionID: String?
    /// The peer's IP address, for sign-in throttling.
    public var clientAddress: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    public var maxUploadSize: Int { CSRFMiddleware<Self>.maxFormBytes }
}
