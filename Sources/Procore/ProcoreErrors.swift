import TielineCore

extension TielineError.Code {
    /// A Procore payload is missing a field, has a wrong type, or holds an unusable value.
    public static let procorePayload = Self("procore_payload")
    /// A Procore response body is not JSON at all.
    public static let procoreMalformedJSON = Self("procore_malformed_json")
    /// Procore rejected the client id / secret, or a token was refused after a refresh.
    public static let procoreAuth = Self("procore_auth")
    /// Procore answered with an error status after all retries.
    public static let procoreHTTP = Self("procore_http")
    /// Procore kept answering 429 (or 503) until the retry budget ran out.
    public static let procoreRateLimited = Self("procore_rate_limited")
    /// The connection failed (refused, reset, timed out) until the retry budget ran out.
    public static let procoreNetwork = Self("procore_network")
    /// An ERP request has a `request_name` Tieline does not handle.
    public static let procoreUnsupportedRequest = Self("procore_unsupported_request")
}

/// A non-success answer from Procore, keeping everything Procore said about it.
public struct ProcoreAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The HTTP status, e.g. 404 or 422.
    public let status: Int
    /// The method and path that failed, e.g. `GET /rest/v1.0/projects`.
    public let request: String
    /// Procore's `error` / `message` / `errors` text when the body is Procore's error JSON.
    public let procoreMessage: String?
    /// The response body as text (clipped), for the user and the logs.
    public let body: String

    public init(status: Int, request: String, procoreMessage: String?, body: String) {
        self.status = status
        self.request = request
        self.procoreMessage = procoreMessage
        self.body = body
    }

    /// The Tieline code for this status.
    public var code: TielineError.Code {
        switch status {
        case 401, 403: .procoreAuth
        case 404: .notFound
        case 409: .conflict
        case 429: .procoreRateLimited
        default: .procoreHTTP
        }
    }

    public var description: String {
        "Procore answered \(status) to \(request): \(procoreMessage ?? body.clipped(300))"
    }

    /// The same failure as a coded TielineError, for callers that only speak TielineError.
    public var tielineError: TielineError { TielineError(code, description) }
}
