import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TielineCore

extension ProcoreClient {
    /// The largest response body read; anything bigger is not a Procore page.
    static let maxResponseBytes = 32 * 1024 * 1024

    /// Sends with a bearer token, honouring rate limits and retrying what is worth retrying.
    func send(_ method: HTTPMethod, url: URL, body: Data?) async throws -> ProcoreResponse {
        let label = "\(method.rawValue) \(url.path)"
        let policy = configuration.retry
        var refreshedAfter401 = false
        var lastFailure: any Error = TielineError(.procoreNetwork, "\(label): no attempt made")
        var attempt = 0
        while attempt < policy.maxAttempts {
            attempt += 1
            // Slow down before the limit rather than spend a request on a 429.
            let pause = rateLimit.waitBeforeNextCall(now: clock.now(), reserve: configuration.rateLimitReserve)
            if pause > 0 {
                guard pause <= policy.maxDelay else {
                    throw TielineError(.procoreRateLimited, "\(label): the rate-limit window resets in \(Int(pause)) s, longer than the \(Int(policy.maxDelay)) s allowed to wait")
                }
                logger.info("rate limit nearly spent; waiting for the window to reset", metadata: ["seconds": "\(pause)"])
                try await clock.sleep(for: .seconds(pause))
                rateLimit.windowPassed(now: clock.now())
            }
            let token = try await accessToken()
            var headers: [(String, String)] = [
                ("Authorization", "Bearer \(token.revealed)"),
                ("Procore-Company-Id", String(configuration.companyID)),
                ("Accept", "application/json"),
            ]
            if body != nil { headers.append(("Content-Type", "application/json")) }

            let response: ProcoreResponse
            do {
                response = try await perform(method, url: url, headers: headers, body: body)
            } catch {
                try Task.checkCancellation()
                lastFailure = TielineError(.procoreNetwork, "\(label): \(Self.describe(error))")
                try await backOff(attempt: attempt, after: "cannot reach Procore (\(label)): \(Self.describe(error))")
                continue
            }
            rateLimit.update(limit: response.header("X-Rate-Limit-Limit"), remaining: response.header("X-Rate-Limit-Remaining"),
                             reset: response.header("X-Rate-Limit-Reset"))
            logger.debug("procore answered", metadata: ["call": "\(label)", "status": "\(response.status)"])
            if (200..<300).contains(response.status) { return response }
            let apiError = ProcoreAPIError(status: response.status, request: label, procoreMessage: response.procoreMessage,
                                           body: String(decoding: response.body.prefix(2000), as: UTF8.self))
            switch response.status {
            case 401 where !refreshedAfter401:
                // The token may have been revoked or expired early: fetch a new one once.
                refreshedAfter401 = true
                tokens.invalidate()
                attempt -= 1
                continue
            case 429:
                lastFailure = TielineError(.procoreRateLimited, apiError.description)
                let now = clock.now()
                let wait = rateLimit.reset.map { max(0, $0.timeIntervalSince(now)) }
                    ?? ResponseHeaders.retryAfter(response.header("Retry-After"), now: now)
                    ?? delay(attempt: attempt)
                guard wait <= policy.maxDelay else { throw lastFailure }
                logger.info("rate limited (429); waiting for the window to reset", metadata: ["seconds": "\(wait)"])
                if attempt < policy.maxAttempts { try await clock.sleep(for: .seconds(wait)) }
                rateLimit.windowPassed(now: clock.now())
            case 503:
                lastFailure = apiError
                let wait = ResponseHeaders.retryAfter(response.header("Retry-After"), now: clock.now()) ?? delay(attempt: attempt)
                guard wait <= policy.maxDelay else { throw apiError }
                if attempt < policy.maxAttempts { try await clock.sleep(for: .seconds(wait)) }
            case 500, 502, 504:
                lastFailure = apiError
                try await backOff(attempt: attempt, after: "Procore answered \(response.status) to \(label)")
            default:
                throw apiError
            }
        }
        throw lastFailure
    }

    /// Exponential back-off with full jitter, capped by the policy.
    func delay(attempt: Int) -> Double {
        let policy = configuration.retry
        return Backoff(initial: .seconds(policy.baseDelay), maximum: .seconds(policy.maxDelay)).seconds(attempt: attempt, jitter: jitter())
    }

    /// Logs the failure at once, with when the next try comes, then waits (unless it was the last attempt).
    func backOff(attempt: Int, after failure: String) async throws {
        let attempts = configuration.retry.maxAttempts
        guard attempt < attempts else {
            logger.warning("\(failure); giving up after \(attempts) attempts")
            return
        }
        let wait = delay(attempt: attempt)
        logger.warning("\(failure); trying again in \(String(format: "%.1f", wait)) s (attempt \(attempt) of \(attempts))")
        try await clock.sleep(for: .seconds(wait))
    }

    /// One HTTP exchange, no retries.
    func perform(_ method: HTTPMethod, url: URL, headers: [(String, String)], body: Data?) async throws -> ProcoreResponse {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.add(name: "User-Agent", value: "Tieline (+https://github.com/tieline)")
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await http.execute(request, timeout: .seconds(configuration.requestTimeout))
        let buffer = try await response.body.collect(upTo: Self.maxResponseBytes)
        var fields: [String: String] = [:]
        for header in response.headers { fields[header.name.lowercased()] = header.value }
        return ProcoreResponse(status: Int(response.status.code), headers: fields, body: Data(buffer.readableBytesView))
    }

    /// A short reason for a transport failure (never includes request headers).
    static func describe(_ error: any Error) -> String {
        if let e = error as? HTTPClientError { return "\(e)" }
        return String(describing: type(of: error)) + ": \(error)".clipped(300)
    }
}
