import Procore
import TielineCore

/// Switchable misbehaviour, each counting down per API request (OAuth and /sandbox calls excluded).
public struct SandboxFaults: Sendable, Hashable {
    /// The next N requests get 429 as if the window were spent; it resets `rateLimitResetSeconds` later.
    public var rateLimitBurst = 0
    public var rateLimitResetSeconds = 2
    /// The next N requests get 503 with `Retry-After: unavailableRetryAfter`.
    public var unavailableBurst = 0
    public var unavailableRetryAfter = 1
    /// The next N requests get 500 (retryable server error).
    public var serverErrorBurst = 0
    /// The next N requests wait `slowSeconds` (real time) before answering.
    public var slowBurst = 0
    public var slowSeconds = 0.0
    /// The next N requests have their connection closed without an answer.
    public var dropBurst = 0
    /// The next N successful answers carry a truncated, malformed JSON body.
    public var malformedBurst = 0

    public init() {}

    /// Reads `{"rate_limit_burst": 3, ...}`; unknown keys are errors so typos are not silent.
    public init(json: JSONValue) throws(TielineError) {
        let r = PayloadReader(json, path: "faults")
        guard case .object(let fields) = json else { throw TielineError(.invalidInput, "faults: expected an object") }
        let known: Set<String> = ["rate_limit_burst", "rate_limit_reset_seconds", "unavailable_burst", "unavailable_retry_after",
                                  "server_error_burst", "slow_burst", "slow_seconds", "drop_burst", "malformed_burst"]
        if let unknown = fields.keys.first(where: { !known.contains($0) }) {
            throw TielineError(.invalidInput, "faults.\(unknown): unknown fault; known: \(known.sorted().joined(separator: ", "))")
        }
        rateLimitBurst = try r.optionalInt("rate_limit_burst") ?? 0
        rateLimitResetSeconds = try r.optionalInt("rate_limit_reset_seconds") ?? 2
        unavailableBurst = try r.optionalInt("unavailable_burst") ?? 0
        unavailableRetryAfter = try r.optionalInt("unavailable_retry_after") ?? 1
        serverErrorBurst = try r.optionalInt("server_error_burst") ?? 0
        slowBurst = try r.optionalInt("slow_burst") ?? 0
        if let s = try r.optional("slow_seconds") {
            guard case .number(let text) = s.value, let seconds = Double(text), seconds >= 0, seconds <= 120 else {
                throw TielineError(.invalidInput, "faults.slow_seconds: expected a number of seconds between 0 and 120")
            }
            slowSeconds = seconds
        }
        dropBurst = try r.optionalInt("drop_burst") ?? 0
        malformedBurst = try r.optionalInt("malformed_burst") ?? 0
    }

    /// The faults as JSON, for `GET /sandbox/faults`.
    public var json: JSONValue {
        .object([
            "rate_limit_burst": .number("\(rateLimitBurst)"), "rate_limit_reset_seconds": .number("\(rateLimitResetSeconds)"),
            "unavailable_burst": .number("\(unavailableBurst)"), "unavailable_retry_after": .number("\(unavailableRetryAfter)"),
            "server_error_burst": .number("\(serverErrorBurst)"), "slow_burst": .number("\(slowBurst)"),
            "slow_seconds": .number("\(slowSeconds)"), "drop_burst": .number("\(dropBurst)"),
            "malformed_burst": .number("\(malformedBurst)"),
        ])
    }
}
