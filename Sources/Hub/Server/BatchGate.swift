/// Lets batches in only while few enough are being received and applied, in count and in bytes;
/// the others wait their turn in order, their bodies still unread (TCP holds them back).
///
/// A batch is applied from its body's own bytes (`SyncWire.scan`), so what a batch costs the hub is
/// its size: the hub's peak memory is bounded by `byteBudget`, not by how many agents post at once.
/// A batch larger than the whole budget is let in alone.
actor BatchGate {
    let limit: Int
    let byteBudget: Int
    private var inUse = 0
    private var bytesInUse = 0
    private var waiting: [(bytes: Int, continuation: CheckedContinuation<Void, Never>)] = []

    init(limit: Int, byteBudget: Int = .max) {
        self.limit = max(1, limit)
        self.byteBudget = max(1, byteBudget)
    }

    /// Batches waiting to be let in.
    var waitingCount: Int { waiting.count }

    /// Runs `body` once a slot and `bytes` of the budget are free.
    func run<T: Sendable>(bytes: Int = 0, _ body: @Sendable () async throws -> T) async throws -> T {
        let bytes = min(max(0, bytes), byteBudget)
        await acquire(bytes)
        defer { release(bytes) }
        return try await body()
    }

    private func fits(_ bytes: Int) -> Bool {
        inUse < limit && (inUse == 0 || bytesInUse + bytes <= byteBudget)
    }

    private func acquire(_ bytes: Int) async {
        // First come, first served: nobody overtakes a larger batch that is waiting.
        if waiting.isEmpty && fits(bytes) {
            inUse += 1
            bytesInUse += bytes
            return
        }
        // The slot and bytes are handed over by `release`, so they stay counted.
        await withCheckedContinuation { waiting.append((bytes, $0)) }
    }

    private func release(_ bytes: Int) {
        inUse -= 1
        bytesInUse -= bytes
        while let next = waiting.first, fits(next.bytes) {
            waiting.removeFirst()
            inUse += 1
            bytesInUse += next.bytes
            next.continuation.resume()
        }
    }
}
