import Foundation
import Hub
import SyncCore
import Testing

/// Prints how fast each storage backend applies batches. Opt-in (TIELINE_MEASURE=1) and never asserts on
/// time: it is a measurement to read, e.g. `TIELINE_MEASURE=1 scripts/test --filter ApplyMeasurement`.
@Suite struct ApplyMeasurement {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["TIELINE_MEASURE"] == "1"), arguments: Backend.all)
    func applyThroughput(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, _ in
            _ = try await storage.addSite("Acme")
            let site = try #require(try await storage.sites().first)
            let start = SyncRunStart(runID: "m", connection: "Main", type: .deep, timeframe: .beginningOfTime, startDate: nil, entities: [])
            _ = try await storage.beginRun(start, site: site)
            let batches = (0..<40).map { Fixtures.batch(run: "m", rows: 5000, from: $0 * 5000, sequence: $0) }
            let clock = ContinuousClock()
            let elapsed = try await clock.measure {
                for batch in batches { _ = try await storage.applyBatch(batch, site: site) }
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("\(backend) applyBatch: 200000 rows in \(seconds) s = \(Int(200_000 / seconds)) rows/s (wall)")
        }
    }
}
