import Hummingbird
import TielineCore

/// The per-request context: Hummingbird's core plus the site the bearer token authenticated.
public struct HubRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` for every `/v1` route.
    public var site: HubSite?
    /// The peer's IP address (a reverse proxy's, behind one): what sign-in throttling counts per client.
    public var clientAddress: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.site = nil
        self.clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Hummingbird's decode limit; bodies are read with explicit per-endpoint limits anyway.
    public var maxUploadSize: Int { JSONBody.maxRequestBytes }

    /// The authenticated site; routes behind `AuthMiddleware` can rely on it.
    func requireSite() throws -> HubSite {
        guard let site else { throw TielineError(.unauthorized, "this endpoint needs an agent token") }
        return site
    }
}
