import Foundation
import GRDB
import SageStore
import SageModel
import SyncCore
import Testing
import TielineCore
@testable import Agent

@Suite("Sync engine: deep and incremental")
struct SyncEngineTests {
    @Test("a Deep sync from the beginning of time makes the mirror equal Sage")
    func deepSyncMirrorsSource() async throws {
        let fixture = try SageFixture()
        try fixture.seed()
        let destination = MirrorDestination()
        let runner = SyncRunner(state: try .inMemory(), destination: destination, options: SyncTest.options())
        let record = try await runner.run(SyncRequest(connection: SyncTest.connection(fixture)))

        #expect(record.status == .completed)
        #expect(record.type == "deep" && record.timeframe == "beginning-of-time")
        try await SyncTest.expectMirrored(destination, fixture)
        // 40 transactions in batches of 5.
        #expect(record.entities["Transaction (JC)"] == EntityCounts(upserts: 40, deletes: 0, batches: 8, status: "completed"))
        let completed = await destination.completions.map(\.entity)
        #expect(completed == EntityCatalog.all.filter { $0.requiresModule != .pj }.map(\.name))
        #expect(await destination.finished.map(\.status) == ["completed"])
    }

    @Test("money travels as integer cents, dates as text, missing values as null")
    func valuesKeepTheirKinds() async throws {
        let fixture = try SageFixture()
        try fixture.seed(jobs: 1, transactions: 0)
        let destination = MirrorDestination()
        let runner = SyncRunner(state: try .inMemory(), destination: destination, options: SyncTest.options())
        _ = try await runner.run(SyncRequest(connection: SyncTest.connection(fixture), only: ["Job (CV)"]))
        let job = try #require(await destination.rows(EntityCatalog.job)[[.text("J01")]])
        #expect(job["Original_Contract_Amount"] == .integer(100_000))
        #expect(job["Billing_Level"] == .null)
        #expect(job["Description"] == .text("Job 1"))
    }

    @Test("incremental sends only what changed: updates, inserts, deletes and key changes")
    func incrementalSendsOnlyChanges() async throws {
        let fixture = try SageFixture()
        try fixture.seed()
        let destination = MirrorDestination()
        let state = try AgentState.inMemory()
        let runner = SyncRunner(state: state, destination: destination, options: SyncTest.options())
        let connection = SyncTest.connection(fixture)
        _ = try await runner.run(SyncRequest(connection: connection))

        try fixture.execute("UPDATE JCM_MASTER__JOB SET Description = 'Renamed' WHERE Job = 'J01'")
        try fixture.execute("DELETE FROM CNC_ACTIVE__CONTRACT_ITEM WHERE Contract = 'KJ01' AND Item = '3'")
        try fixture.execute("UPDATE CNC_ACTIVE__CONTRACT_ITEM SET Item = '2A' WHERE Contract = 'KJ02' AND Item = '2'")
        try fixture.write { db in try SageFixture.insertTransaction(db, run: 2, sequence: 1, date: "2026-04-01") }

        let record = try await runner.run(SyncRequest(connection: connection, type: .incremental))
        #expect(record.status == .completed)
        let batches = await destination.batches(run: record.id)
        let jobs = batches.filter { $0.entity == "Job (CV)" }
        #expect(jobs.flatMap(\.upserts).count == 1)
        let items = batches.filter { $0.entity == "Contract Item (CN)" }
        #expect(items.flatMap(\.upserts).map { Array($0.prefix(2)) } == [[.text("KJ02"), .text("2A")]])
        #expect(Set(items.flatMap(\.deletes)) == [[.text("KJ01"), .text("3")], [.text("KJ02"), .text("2")]])
        #expect(batches.filter { $0.entity == "Transaction (JC)" }.flatMap(\.upserts).count == 1)
        // Untouched entities send nothing at all.
        #expect(batches.filter { $0.entity == "Customer" }.isEmpty)
        #expect(await destination.completions.count == 11, "incremental runs never ask the hub to remove rows")
        try await SyncTest.expectMirrored(destination, fixture)
        #expect(try state.checkpoint(connection: "main", entity: "Job (CV)") == (try fixture.company.currentRowVersion()))
    }

    @Test("a deleted key that exists again is sent as an upsert, never also as a delete")
    func reinsertedKeyIsNotDeleted() async throws {
        let fixture = try SageFixture()
        try fixture.seed(jobs: 3, transactions: 0)
        let destination = MirrorDestination()
        let runner = SyncRunner(state: try .inMemory(), destination: destination, options: SyncTest.options())
        let connection = SyncTest.connection(fixture)
        _ = try await runner.run(SyncRequest(connection: connection))
        // J03 bills quick at cost-code level, so its cost codes are Quick Bill Contract Items.
        try fixture.execute("DELETE FROM JCM_MASTER__COST_CODE WHERE Job = 'J03' AND Cost_Code = '01-100'")
        try fixture.insert(SageSchema.costCode, ["Job": "J03", "Extra": "", "Cost_Code": "01-100", "Description": "Back again"])
        let record = try await runner.run(SyncRequest(connection: connection, type: .incremental))
        let batches = await destination.batches(run: record.id)
        #expect(batches.flatMap(\.deletes).isEmpty)
        #expect(batches.flatMap(\.upserts).count == 1)
        try await SyncTest.expectMirrored(destination, fixture)
    }

    @Test("cleared Transaction (JC) field options are neither read nor sent")
    func clearedOptionsAreNotSent() async throws {
        let fixture = try SageFixture()
        try fixture.seed(jobs: 1, transactions: 6)
        let mappings = SyncTest.mappings(cleared: PCCOExportPreset.clearedOptions)
        let destination = MirrorDestination()
        let runner = SyncRunner(state: try .inMemory(), destination: destination, options: SyncTest.options())
        _ = try await runner.run(SyncRequest(connection: SyncTest.connection(fixture, mappings: mappings), only: ["Transaction (JC)"]))
        let batches = await destination.received
        let cleared: Set<String> = ["Commitment_CO", "Employee", "Equipment", "Equipment_Type", "Credit_Account", "Debit_Account"]
        #expect(!batches.isEmpty)
        for batch in batches {
            #expect(batch.columns == mappings.columns(for: EntityCatalog.transaction))
            #expect(cleared.isDisjoint(with: batch.columns))
            #expect(batch.upserts.allSatisfy { $0.count == batch.columns.count })
            #expect(batch.columns.contains("Pay_ID") && batch.columns.contains("Run") && batch.columns.contains("Sequence"))
        }
        // What is read is exactly what is sent: the reader selects the mapped columns only.
        let reader = try EntityReader(company: fixture.company, entity: EntityCatalog.transaction,
                                      columns: mappings.columns(for: EntityCatalog.transaction), startDate: nil)
        #expect(cleared.isDisjoint(with: reader.columns))
        try await SyncTest.expectMirrored(destination, fixture, mappings: mappings, entities: [EntityCatalog.transaction])
    }

    @Test("the timeframe cuts dated entities only; reference entities sync whole")
    func timeframeCutsDatedEntitiesOnly() async throws {
        let fixture = try SageFixture()
        try fixture.seed()
        let destination = MirrorDestination()
        let runner = SyncRunner(state: try .inMemory(), destination: destination, options: SyncTest.options())
        let since = Timeframe.since(try CalendarDate(parsing: "2026-01-01"))
        let record = try await runner.run(SyncRequest(connection: SyncTest.connection(fixture), timeframe: since))
        #expect(record.timeframe == "since:2026-01-01")
        #expect(await destination.begun.last?.startDate == (try CalendarDate(parsing: "2026-01-01")))
        #expect(await destination.rows(EntityCatalog.transaction).count == 20)
        #expect(await destination.rows(EntityCatalog.contractChangeOrder).count == 4, "only the 2026 change orders")
        #expect(await destination.rows(EntityCatalog.job).count == 6, "jobs have no date: all of them")
        try await SyncTest.expectMirrored(destination, fixture, startDate: "2026-01-01")
    }

    @Test("last:N timeframes resolve against today and stay fixed for the run")
    func relativeTimeframeUsesToday() async throws {
        let fixture = try SageFixture()
        try fixture.seed(jobs: 2, transactions: 10)
        let destination = MirrorDestination()
        let runner = SyncRunner(state: try .inMemory(), destination: destination, options: SyncTest.options())
        _ = try await runner.run(SyncRequest(connection: SyncTest.connection(fixture), timeframe: .last(1, .years)))
        #expect(await destination.begun.last?.startDate == (try CalendarDate(parsing: "2025-11-27")))
        #expect(await destination.rows(EntityCatalog.transaction).count == 5)
    }

    @Test("a changed row that leaves the timeframe or the quick-bill filter is sent as a delete")
    func rowsLeavingScopeAreDeleted() async throws {
        let fixture = try SageFixture()
        try fixture.seed()
        let destination = MirrorDestination()
        let runner = SyncRunner(state: try .inMemory(), destination: destination, options: SyncTest.options())
        let connection = SyncTest.connection(fixture, settings: SyncSettings(type: .incremental,
                                                                               timeframe: .since(try CalendarDate(parsing: "2026-01-01"))))
        _ = try await runner.run(SyncRequest(connection: connection, type: .deep))
        #expect(await destination.rows(EntityCatalog.quickBillContract).keys.sorted { "\($0)" < "\($1)" } == [[.text("J03")], [.text("J06")]])

        try fixture.execute("UPDATE CNC_ACTIVE__CHANGE_ORDER SET Change_Order_Date = '2025-12-31' WHERE Contract = 'KJ01' AND Change_Order = '002'")
        try fixture.execute("UPDATE JCM_MASTER__JOB SET Billing_Method = 'Contract', Billing_Level = NULL WHERE Job = 'J03'")
        let record = try await runner.run(SyncRequest(connection: connection))
        #expect(record.type == "incremental")
        let batches = await destination.batches(run: record.id)
        #expect(batches.filter { $0.entity == "Contract Change Order (CN)" }.flatMap(\.deletes) == [[.text("KJ01"), .text("002")]])
        #expect(batches.filter { $0.entity == "Quick Bill Contract" }.flatMap(\.deletes) == [[.text("J03")]])
        #expect(await destination.rows(EntityCatalog.quickBillContract).keys.map { $0 } == [[.text("J06")]])
        for entity in [EntityCatalog.contractChangeOrder, EntityCatalog.quickBillContract, EntityCatalog.job] {
            try await SyncTest.expectMirrored(destination, fixture, entities: [entity], startDate: "2026-01-01")
        }
    }

    @Test("a Deep sync removes what Sage no longer has, and checkpoints at its start marker")
    func deepRemovesVanishedRows() async throws {
        let fixture = try SageFixture()
        try fixture.seed(jobs: 3, transactions: 4)
        let destination = MirrorDestination()
        let state = try AgentState.inMemory()
        let runner = SyncRunner(state: state, destination: destination, options: SyncTest.options())
        let connection = SyncTest.connection(fixture)
        _ = try await runner.run(SyncRequest(connection: connection))
        // Behind the tombstones' back (as a restored backup would): no change marker is left.
        try fixture.execute("DROP TRIGGER \"CNC_ACTIVE__CONTRACT_ITEM_version_delete\"")
        try fixture.execute("DELETE FROM CNC_ACTIVE__CONTRACT_ITEM WHERE Contract = 'KJ01'")
        let before = try fixture.company.currentRowVersion()
        let record = try await runner.run(SyncRequest(connection: connection))
        #expect(record.status == .completed)
        #expect(await destination.rows(EntityCatalog.contractItem).count == 3)
        try await SyncTest.expectMirrored(destination, fixture)
        #expect(try state.checkpoint(connection: "main", entity: "Contract Item (CN)") == before)
    }
}

extension SageFixture {
    func write(_ block: (Database) throws -> Void) throws { try company.write(block) }
}
