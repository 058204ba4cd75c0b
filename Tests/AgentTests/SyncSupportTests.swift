import Foundation
import GRDB
import SageStore
import SageModel
import Synchronization
import SyncCore
import Testing
import TielineCore
@testable import Agent

// Shared fixtures for the sync engine's tests: a real Sage company in a temp file and an
// in-memory destination that models the hub's contract.

/// A transient failure, as a cut network or a hub restart looks to the agent.
struct HubDown: Error, CustomStringConvertible {
    var description: String { "connection refused" }
}

/// A faithful in-memory model of the hub's side of SyncDestination: upserts and deletes by
/// entity + key, dedupe by (run, entity, sequence), Deep completion scoped to the timeframe.
actor MirrorDestination: SyncDestination {
    typealias Key = [SyncValue]
    typealias Record = [String: SyncValue]

    private(set) var mirror: [String: [Key: Record]] = [:]
    /// Every batch that reached `send`, applied or not.
    private(set) var received: [SyncBatch] = []
    private(set) var duplicateAcks = 0
    private(set) var completions: [EntityCompletion] = []
    private(set) var begun: [SyncRunStart] = []
    private(set) var finished: [(run: String, status: String)] = []
    private var applied: Set<String> = []
    private var runs: [String: SyncRunStart] = [:]
    private var touched: [String: [String: Set<Key>]] = [:]

    /// Every call fails while the hub is down.
    var down = false
    /// The next this-many calls fail, then the hub answers again.
    var failuresLeft = 0
    /// After this many applied batches the hub goes down.
    var downAfterApplied: Int?
    /// When going down, apply the batch first and lose the acknowledgment.
    var loseAckWhenGoingDown = false
    private var appliedCount = 0

    func set(down: Bool) { self.down = down }
    func failNext(_ count: Int) { failuresLeft = count }
    func goDown(afterApplied count: Int, losingAck: Bool = false) {
        downAfterApplied = count
        loseAckWhenGoingDown = losingAck
    }

    func beginRun(_ start: SyncRunStart) async throws {
        try fault()
        runs[start.runID] = start
        begun.append(start)
    }

    func send(_ batch: SyncBatch) async throws -> SyncBatchAck {
        received.append(batch)
        try fault()
        let id = "\(batch.runID)|\(batch.entity)|\(batch.sequence)"
        if let limit = downAfterApplied, appliedCount >= limit {
            down = true
            downAfterApplied = nil
            if loseAckWhenGoingDown && !applied.contains(id) {
                apply(batch)
                applied.insert(id)
            }
            throw HubDown()
        }
        if applied.contains(id) {
            duplicateAcks += 1
            return SyncBatchAck(entity: batch.entity, sequence: batch.sequence, applied: 0, duplicate: true)
        }
        apply(batch)
        applied.insert(id)
        appliedCount += 1
        return SyncBatchAck(entity: batch.entity, sequence: batch.sequence, applied: batch.upserts.count + batch.deletes.count, duplicate: false)
    }

    func completeEntity(_ completion: EntityCompletion) async throws {
        try fault()
        completions.append(completion)
        let start = runs[completion.runID]
        let dateColumn = EntityCatalog.entity(named: completion.entity)?.dateColumn
        let sent = touched[completion.runID]?[completion.entity] ?? []
        for (key, record) in mirror[completion.entity] ?? [:] where !sent.contains(key) {
            // Only inside the run's timeframe: older dated rows are outside what a Deep run re-read.
            if let startDate = start?.startDate, let dateColumn, case .text(let date)? = record[dateColumn],
               date < startDate.description { continue }
            mirror[completion.entity]?[key] = nil
        }
    }

    func finishRun(runID: String, status: String, error: String?) async throws {
        try fault()
        finished.append((runID, status))
    }

    /// The mirrored rows of `entity`.
    func rows(_ entity: SyncEntity) -> [Key: Record] { mirror[entity.name] ?? [:] }

    /// Batches received for `runID`.
    func batches(run runID: String) -> [SyncBatch] { received.filter { $0.runID == runID } }

    private func fault() throws {
        if down { throw HubDown() }
        if failuresLeft > 0 {
            failuresLeft -= 1
            throw HubDown()
        }
    }

    private func apply(_ batch: SyncBatch) {
        let keyIndexes = batch.key.map { batch.columns.firstIndex(of: $0)! }
        var entityRows = mirror[batch.entity] ?? [:]
        for key in batch.deletes { entityRows[key] = nil }
        for row in batch.upserts {
            let key = keyIndexes.map { row[$0] }
            entityRows[key] = Dictionary(uniqueKeysWithValues: zip(batch.columns, row))
            touched[batch.runID, default: [:]][batch.entity, default: []].insert(key)
        }
        mirror[batch.entity] = entityRows
    }
}

/// A thread-safe counter.
final class Counter: Sendable {
    private let value = Mutex(0)
    func increment() -> Int { value.withLock { $0 += 1; return $0 } }
}

/// Collects a run's events.
final class EventLog: Sendable {
    private let events = Mutex<[SyncEvent]>([])
    var all: [SyncEvent] { events.withLock { $0 } }
    var record: @Sendable (SyncEvent) -> Void { { [self] event in events.withLock { $0.append(event) } } }
    var waitingMessages: [String] {
        all.compactMap { if case .waiting(let message, _, _) = $0 { message } else { nil } }
    }
}

/// A Sage company in a temp folder, removed when the fixture goes away.
final class SageFixture: @unchecked Sendable {
    let folder: URL
    let company: SageCompany
    var path: String { company.path }

    init(modules: Set<SageModule> = SageModule.standard) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("tieline-sync-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        company = try SageCompany.create(at: folder.appendingPathComponent("company.sqlite").path, name: "Sync Test Co", modules: modules)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// Inserts one row by column name (raw SQL: the triggers still stamp Row_Version).
    func insert(_ table: SageTable, _ values: [String: DatabaseValueConvertible?]) throws {
        try company.write { db in try Self.insert(db, table, values) }
    }

    static func insert(_ db: Database, _ table: SageTable, _ values: [String: DatabaseValueConvertible?]) throws {
        let columns = Array(values.keys)
        try db.execute(sql: "INSERT INTO \"\(table.name)\" (\(columns.map { "\"\($0)\"" }.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
                       arguments: StatementArguments(columns.map { values[$0]! }))
    }

    /// Runs raw SQL in one write.
    func execute(_ sql: String, _ arguments: StatementArguments = []) throws {
        try company.write { db in try db.execute(sql: sql, arguments: arguments) }
    }

    /// A small company: jobs (some quick bill), cost codes, customers, contracts with items and
    /// change orders on both sides of 2026-01-01, and `transactions` posted JC transactions.
    func seed(jobs: Int = 6, transactions: Int = 40) throws {
        try company.write { db in
            try Self.insert(db, SageSchema.customerType, ["Customer_Type": "Commercial", "Description": "Commercial clients"])
            for c in 1...3 {
                try Self.insert(db, SageSchema.customer, ["Customer": "C\(c)", "Name": "Customer \(c)", "Customer_Type": "Commercial"])
            }
            for j in 1...jobs {
                let job = String(format: "J%02d", j)
                let quickBill = j % 3 == 0
                try Job(job: job, description: "Job \(j)", customer: "C\(j % 3 + 1)", billingMethod: quickBill ? "Quick bill" : "Contract",
                        billingLevel: quickBill ? "Cost code" : nil, originalContractAmount: Money(cents: Int64(j) * 100_000)).insert(db)
                for cc in 1...3 {
                    try CostCode(job: job, costCode: "0\(cc)-100", description: "Cost code \(cc)",
                                 originalScheduledValue: Money(cents: Int64(cc) * 5_000)).insert(db)
                }
                guard !quickBill else { continue }
                let contract = "K\(job)"
                try Contract(contract: contract, job: job, customer: "C1", description: "Prime \(job)").insert(db)
                for item in 1...3 {
                    try ContractItem(contract: contract, item: "\(item)", description: "Item \(item)", job: job,
                                     costCode: "0\(item)-100", originalScheduledValue: Money(cents: Int64(item) * 10_000)).insert(db)
                }
                try ChangeOrder(contract: contract, changeOrder: "001", description: "Old CO", date: try CalendarDate(parsing: "2025-06-01"),
                                amount: Money(cents: 1_000)).insert(db)
                try ChangeOrder(contract: contract, changeOrder: "002", description: "New CO", date: try CalendarDate(parsing: "2026-03-01"),
                                amount: Money(cents: 2_000)).insert(db)
                try ChangeOrderItem(contract: contract, changeOrder: "002", item: "1", description: "CO item", amount: Money(cents: 2_000)).insert(db)
            }
            for t in 0..<transactions {
                try Self.insertTransaction(db, run: 1, sequence: t, date: t % 2 == 0 ? "2025-05-10" : "2026-02-10")
            }
        }
    }

    /// A posted JC transaction with every optional column filled, so cleared options are visible.
    static func insertTransaction(_ db: Database, run: Int, sequence: Int, date: String) throws {
        try insert(db, SageSchema.transaction, [
            "Run": run, "Sequence": sequence, "Job": "J01", "Extra": "", "Cost_Code": "01-100", "Category": "L",
            "Transaction_Type": "JC cost", "Accounting_Date": date, "Transaction_Date": date, "Description": "Labor \(sequence)",
            "Amount": 12_345 + sequence, "Units": "1.5", "Commitment_CO": "CCO1", "Employee": "E\(sequence % 10)",
            "Equipment": "EQ1", "Equipment_Type": "Truck", "Credit_Account": "2000-00", "Debit_Account": "5000-00",
            "Pay_ID": "P1", "Ref_1": "R1", "Ref_2": "R2",
        ])
    }

    /// The source rows of `entity`, as the hub should mirror them: `columns` only, inside its
    /// filter and at or after `startDate` when the entity is dated. Written independently of the reader.
    func source(_ entity: SyncEntity, columns: [String], startDate: String? = nil) throws -> [[SyncValue]: [String: SyncValue]] {
        var conditions: [String] = []
        if let filter = entity.filter { conditions.append(filter) }
        if let startDate, let dateColumn = entity.dateColumn { conditions.append("\"\(dateColumn)\" >= '\(startDate)'") }
        let sql = "SELECT \(columns.map { "\"\($0)\"" }.joined(separator: ", ")) FROM \"\(entity.table.name)\""
            + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
        return try company.read { db in
            var out: [[SyncValue]: [String: SyncValue]] = [:]
            for row in try Row.fetchAll(db, sql: sql) {
                var record: [String: SyncValue] = [:]
                for (index, column) in columns.enumerated() {
                    let value: DatabaseValue = row[index]
                    switch value.storage {
                    case .null: record[column] = .null
                    case .int64(let n): record[column] = .integer(n)
                    case .string(let s): record[column] = .text(s)
                    default: Issue.record("unexpected storage in \(column)")
                    }
                }
                out[entity.table.key.map { record[$0]! }] = record
            }
            return out
        }
    }
}

/// Builders shared by the sync tests.
enum SyncTest {
    static let today = try! CalendarDate(parsing: "2026-11-27")

    /// Options with small batches and an instant backoff clock.
    /// `inFlight` 1 for tests that follow one batch at a time; the default is the agent's own.
    static func options(batchSize: Int = 5, clock: VirtualClock = VirtualClock(), maxWait: Duration = .seconds(60),
                        inFlight: Int = SyncOptions().batchesInFlight) -> SyncOptions {
        var options = SyncOptions(batchSize: batchSize,
                                  retry: RetryPolicy(initialDelay: .seconds(1), maxDelay: .seconds(8), maxWait: maxWait,
                                                     jitter: { 1 }, clock: clock),
                                  destinationName: "hub at http://hub.test", today: { today })
        options.batchesInFlight = inFlight
        return options
    }

    /// Mappings with the PCCO preset plus Transaction (JC), with `cleared` Transaction options.
    static func mappings(cleared: [String] = []) -> Mappings {
        var mappings = Mappings()
        _ = mappings.enable(EntityCatalog.all)
        if !cleared.isEmpty {
            _ = try! mappings.setFields(of: EntityCatalog.transaction, exclude: cleared, include: [])
        }
        return mappings
    }

    static func connection(_ fixture: SageFixture, mappings: Mappings = mappings(),
                           settings: SyncSettings = SyncSettings(type: .deep, timeframe: .beginningOfTime)) -> LocalConnection {
        LocalConnection(name: "main", sagePath: fixture.path, mappings: mappings, settings: settings)
    }

    /// Expects the mirror to equal the source for every entity in `entities`.
    static func expectMirrored(_ destination: MirrorDestination, _ fixture: SageFixture, mappings: Mappings = mappings(),
                               entities: [SyncEntity] = EntityCatalog.all.filter { $0.requiresModule != .pj },
                               startDate: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for entity in entities {
            let expected = try fixture.source(entity, columns: mappings.columns(for: entity), startDate: startDate)
            let actual = await destination.rows(entity)
            #expect(actual == expected, "\(entity.name): mirror differs from Sage", sourceLocation: sourceLocation)
        }
    }
}
