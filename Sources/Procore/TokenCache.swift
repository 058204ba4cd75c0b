import Foundation
import NIOHTTP1
import TielineCore

/// The current OAuth access token and when it stops working.
struct TokenCache: Sendable {
    var token: ProcoreSecret?
    var expiresAt: Date?
    var inFlight: Task<(ProcoreSecret, Date), any Error>?

    mutating func invalidate() {
        token = nil
        expiresAt = nil
    }

    func usable(now: Date, margin: Double) -> ProcoreSecret? {
        guard let token, let expiresAt, now.addingTimeInterval(margin) < expiresAt else { return nil }
        return token
    }
}

extension ProcoreClient {
    /// A valid access token, fetched or refreshed before expiry; concurrent callers share one fetch.
    public func accessToken() async throws -> ProcoreSecret {
        if let token = tokens.usable(now: clock.now(), margin: configuration.tokenRefreshMargin) { return token }
        if let pending = tokens.inFlight { return try await pending.value.0 }
        let task = Task { try await self.fetchToken() }
        tokens.inFlight = task
        defer { tokens.inFlight = nil }
        // The fetch is a task of its own (callers share it): a cancelled caller (SIGTERM) cancels it too.
        let (token, expiresAt) = try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
        tokens.token = token
        tokens.expiresAt = expiresAt
        return token
    }

    /// POST /oauth/token with the client-credentials grant; retries network errors and 5xx.
    func fetchToken() async throws -> (ProcoreSecret, Date) {
        let url = configuration.endpoints.authBaseURL.appendingPathComponent("oauth/token")
        let form = [("grant_type", "client_credentials"), ("client_id", configuration.clientID),
                    ("client_secret", configuration.clientSecret.revealed)]
            .map { "\($0.0)=\(Self.formEncode($0.1))" }.joined(separator: "&")
        var attempt = 0
        while true {
            attempt += 1
            let response: ProcoreResponse
            do {
                response = try await perform(.POST, url: url,
                                             headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                                             body: Data(form.utf8))
            } catch {
                try Task.checkCancellation()
                let failure = "cannot reach Procore's token endpoint \(url.host ?? ""): \(Self.describe(error))"
                guard attempt < configuration.retry.maxAttempts else { throw TielineError(.procoreNetwork, failure) }
                try await backOff(attempt: attempt, after: failure)
                continue
            }
            switch response.status {
            case 200..<300:
                let doc = PayloadReader(try response.json(context: "POST /oauth/token"), path: "token")
                let token = try doc.string("access_token", maxLength: 8192, allowEmpty: false)
                let lifetime = try doc.optional("expires_in").map { try $0.asInt() } ?? 7200
                logger.info("obtained a Procore access token", metadata: ["expires_in": "\(lifetime)"])
                return (ProcoreSecret(token), clock.now().addingTimeInterval(Double(lifetime)))
            case 400, 401, 403:
                // Never echo the secret; Procore's own message is safe to show.
                throw TielineError(.procoreAuth, "Procore refused the client credentials (\(response.status)): \(response.procoreMessage ?? "no details"); check the client id and secret")
            case 429 where attempt < configuration.retry.maxAttempts, 500...599 where attempt < configuration.retry.maxAttempts:
                let wait = ResponseHeaders.retryAfter(response.header("Retry-After"), now: clock.now()) ?? delay(attempt: attempt)
                try await clock.sleep(for: .seconds(min(wait, configuration.retry.maxDelay)))
            default:
                throw ProcoreAPIError(status: response.status, request: "POST /oauth/token", procoreMessage: response.procoreMessage,
                                      body: String(decoding: response.body.prefix(2000), as: UTF8.self))
            }
        }
    }

    static func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
