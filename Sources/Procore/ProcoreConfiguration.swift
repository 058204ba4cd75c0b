import Foundation

/// A secret (client secret, access token) that never shows up in logs, prints or dumps.
public struct ProcoreSecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret itself; read it only to put it on the wire.
    public let revealed: String
    public init(_ value: String) { revealed = value }
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}

/// Where a Procore deployment lives: its REST API and its OAuth login host.
public struct ProcoreEndpoints: Sendable, Hashable {
    /// REST API base, e.g. `https://api.procore.com`.
    public var apiBaseURL: URL
    /// OAuth base; `/oauth/token` is appended, e.g. `https://login.procore.com`.
    public var authBaseURL: URL

    public init(apiBaseURL: URL, authBaseURL: URL) {
        self.apiBaseURL = apiBaseURL
        self.authBaseURL = authBaseURL
    }

    /// Procore production: API and login live on separate hosts.
    public static let production = ProcoreEndpoints(
        apiBaseURL: URL(string: "https://api.procore.com")!, authBaseURL: URL(string: "https://login.procore.com")!)
    /// Procore's developer sandbox.
    public static let sandbox = ProcoreEndpoints(
        apiBaseURL: URL(string: "https://sandbox.procore.com")!, authBaseURL: URL(string: "https://login-sandbox.procore.com")!)

    /// One host serving both API and OAuth, such as Tieline's loopback sandbox.
    public static func local(_ baseURL: URL) -> ProcoreEndpoints {
        ProcoreEndpoints(apiBaseURL: baseURL, authBaseURL: baseURL)
    }
}

/// Retry limits for 5xx answers, 429s and network failures.
public struct ProcoreRetryPolicy: Sendable, Hashable {
    /// Attempts per call, the first included.
    public var maxAttempts: Int
    /// The first back-off; each retry doubles it.
    public var baseDelay: Double
    /// No single wait is longer than this (a 429 reset further away fails the call instead).
    public var maxDelay: Double

    public init(maxAttempts: Int = 6, baseDelay: Double = 0.5, maxDelay: Double = 120) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }
}

/// Everything a `ProcoreClient` needs to talk to one Procore company.
public struct ProcoreConfiguration: Sendable {
    /// Which Procore deployment to talk to.
    public var endpoints: ProcoreEndpoints
    /// The Procore company, sent as `Procore-Company-Id` on every API call.
    public var companyID: Int
    /// OAuth client id of the Procore service account / app.
    public var clientID: String
    /// OAuth client secret; redacted whenever printed.
    public var clientSecret: ProcoreSecret
    /// Page size for list calls; Procore allows at most 2000.
    public var perPage: Int { didSet { perPage = min(max(perPage, 1), 2000) } }
    /// How often and how long to retry.
    public var retry: ProcoreRetryPolicy
    /// Requests kept in hand before the rate-limit window resets; below it the client waits.
    public var rateLimitReserve: Int
    /// Refresh a token this many seconds before it expires, so no call carries a dying token.
    public var tokenRefreshMargin: Double
    /// Per-request timeout in seconds.
    public var requestTimeout: Int64

    /// A configuration; only endpoints, company and credentials are required.
    public init(endpoints: ProcoreEndpoints, companyID: Int, clientID: String, clientSecret: ProcoreSecret,
                perPage: Int = 100, retry: ProcoreRetryPolicy = ProcoreRetryPolicy(), rateLimitReserve: Int = 1,
                tokenRefreshMargin: Double = 60, requestTimeout: Int64 = 60) {
        self.endpoints = endpoints
        self.companyID = companyID
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.perPage = min(max(perPage, 1), 2000)
        self.retry = retry
        self.rateLimitReserve = max(0, rateLimitReserve)
        self.tokenRefreshMargin = tokenRefreshMargin
        self.requestTimeout = requestTimeout
    }
}
