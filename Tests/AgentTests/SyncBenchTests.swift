import Foundation
import GRDB
import SageStore
import SageModel
import Synchronization
import SyncCore
import Testing
import TielineCore
@testable import Agent

#if canImport(Glibc)
import Glibc
#endif

/// A destination that only counts, so the measurement is the agent's side alone.
final class CountingDestination: SyncDestination {
    private let counts = Mutex((rows: 0, batches: 0))
    var rows: Int { counts.withLock { $0.rows } }

    func beginRun(_ start: SyncRunStart) async throws {}
    func send(_ batch: SyncBatch) async throws -> SyncBatchAck {
        counts.withLock { $0.rows += batch.upserts.count + batch.deletes.count; $0.batches += 1 }
        return SyncBatchAck(entity: batch.entity, sequence: batch.sequence, applied: batch.upserts.count, duplicate: false)
    }
    func completeEntity(_ completion: EntityCompletion) async throws {}
    func finishRun(runID: String, status: String, error: String?) async throws {}
}

@Suite("Sync engine throughput (set TIELINE_SYNC_BENCH=rows to run)")
struct SyncBenchTests {
    static let rows = Int(ProcessInfo.processInfo.environment["TIELINE_SYNC_BENCH"] ?? "") ?? 0

    @Test("Deep sync of Transaction (JC): rows/s and peak RSS", .enabled(if: rows > 0))
    func deepSyncThroughput() async throws {
        let fixture = try SageFixture()
        let insertStart = ContinuousClock.now
        try fixture.execute("""
            INSERT INTO JCT_CURRENT__TRANSACTION(Run, Sequence, Job, Extra, Cost_Code, Category, Transaction_Type,
              Accounting_Date, Transaction_Date, Description, Amount, Units, Vendor, Invoice, Commitment, Commitment_CO,
              Employee, Equipment, Equipment_Type, Credit_Account, Debit_Account, Pay_ID, Ref_1, Ref_2, Customer,
              Contract, Item, Change_Order, Draw, Chg_Mgmt_Ref_1, Chg_Mgmt_Ref_2)
            WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
            SELECT i / 1000, i % 1000, 'J' || (i % 500), '', '0' || (i % 9) || '-100', 'L', 'JC cost',
              '2025-' || printf('%02d', i % 12 + 1) || '-15', '2025-' || printf('%02d', i % 12 + 1) || '-14',
              'Labor line ' || i, i * 7 % 1000000, '1.5', 'V' || (i % 80), 'INV' || i, 'CM' || (i % 40), NULL,
              'E' || (i % 300), NULL, NULL, '2000-00', '5000-00', 'P' || (i % 7), 'R' || (i % 99), NULL,
              'C' || (i % 30), 'K' || (i % 500), '' || (i % 20), NULL, 'D' || (i % 12), NULL, NULL
            FROM s
            """, [Self.rows])
        let inserted = ContinuousClock.now - insertStart
        var mappings = Mappings()
        _ = mappings.enable([EntityCatalog.transaction])
        _ = try mappings.setFields(of: EntityCatalog.transaction, exclude: PCCOExportPreset.clearedOptions, include: [])
        let connection = LocalConnection(name: "bench", sagePath: fixture.path, mappings: mappings,
                                         settings: SyncSettings(type: .deep, timeframe: .beginningOfTime))

        // The reader alone.
        let reader = try EntityReader(company: fixture.company, entity: EntityCatalog.transaction,
                                      columns: mappings.columns(for: EntityCatalog.transaction), startDate: nil)
        var position: Int64 = 0
        var read = 0
        let readStart = ContinuousClock.now
        while true {
            let chunk = try reader.read(after: position, bound: .limit(10_000, cap: nil), mode: .deep)
            if chunk.isEmpty { break }
            read += chunk.upsertCount
            position = chunk.through
        }
        let readTime = ContinuousClock.now - readStart

        // The whole agent side: plan, read, batch, checkpoint, progress.
        let destination = CountingDestination()
        let runner = SyncRunner(state: try .inMemory(), destination: destination, options: SyncOptions(batchSize: 10_000))
        let syncStart = ContinuousClock.now
        let record = try await runner.run(SyncRequest(connection: connection))
        let syncTime = ContinuousClock.now - syncStart
        #expect(record.status == .completed && destination.rows == Self.rows && read == Self.rows)

        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func rate(_ duration: Duration) -> Int {
            Int(Double(Self.rows) / (Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18))
        }
        print("""
            sync bench: \(Self.rows) JC transactions, \(mappings.columns(for: EntityCatalog.transaction).count) columns
              insert (fixture)   \(inserted)
              reader alone       \(readTime)  \(rate(readTime)) rows/s
              deep sync (agent)  \(syncTime)  \(rate(syncTime)) rows/s
              peak RSS           \(usage.ru_maxrss / 1024) MB
            """)
    }
}
