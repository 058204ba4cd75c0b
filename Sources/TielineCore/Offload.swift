import Dispatch

/// Runs blocking work (SQLite reads and writes of a Sage company) on a Dispatch thread instead of one of
/// Swift concurrency's cooperative threads: there are only as many of those as cores (two here), and a
/// multi-second Sage read on one would stall the agent's console, its long-poll and its reports.
public enum Offload {
    /// The result of `work`, computed off the cooperative pool.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try work() })
            }
        }
    }
}
