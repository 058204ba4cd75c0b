import AsyncHTTPClient

extension HTTPClient {
    /// The process-wide client for Procore calls. Unlike `.shared`, a refused or unreachable host fails the
    /// attempt at once (AsyncHTTPClient would otherwise retry connecting, silently, until the request's
    /// deadline), so `ProcoreClient`'s own retry logs every failure and backs off visibly.
    public static let procore: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
}
