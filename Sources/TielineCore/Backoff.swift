/// The one back-off every retry in Tieline uses: the `initial` wait, doubled after each failure up to
/// `maximum`, and (with `jitter` in 0...1) scaled into [½, 1] of that so clients do not retry in step.
/// Procore calls, the agent's sync and reports, the hub's write-back, sign-in throttling and the
/// sandbox's webhook deliveries all take their waits from here.
public struct Backoff: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration

    public init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = max(initial, maximum)
    }

    /// The wait before retry `attempt` (1 for the first retry). `jitter` nil means none.
    public func delay(attempt: Int, jitter: Double? = nil) -> Duration {
        let doublings = min(max(attempt - 1, 0), 40)
        var nominal = initial
        for _ in 0..<doublings where nominal < maximum { nominal = nominal * 2 }
        nominal = min(nominal, maximum)
        guard let jitter else { return nominal }
        return nominal * (0.5 + 0.5 * min(max(jitter, 0), 1))
    }

    /// `delay` in seconds.
    public func seconds(attempt: Int, jitter: Double? = nil) -> Double {
        let d = delay(attempt: attempt, jitter: jitter)
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
