import Foundation
@testable import Hub
import SyncCore
import Testing

/// A Deep run notes, at its first batch of an entity, whether the mirror held rows of it from before the run; a first
/// Deep (none) skips the completion's search for unsent rows, and every other Deep still searches.
@Suite struct DeepOlderRowsTests {
    let first = "7b0e3f4a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
    let again = "8c1f4a5b-2d3e-4f6a-9b0c-1d2e3f4a5b6c"

    func deep(_ run: String) -> SyncRunStart {
        SyncRunStart(runID: run, connection: "Main", type: .deep, timeframe: .beginningOfTime, startDate: nil, entities: ["Customer"])
    }

    func complete(_ storage: any HubStorage, _ run: String, _ site: HubSite) async throws -> Int {
        try await storage.completeEntity(EntityCompletion(runID: run, entity: "Customer", rowCount: 0), site: site)
    }

    func names(_ storage: any HubStorage, _ site: HubSite) async throws -> [String] {
        try await storage.mirrorRows(entity: "Customer", key: [], page: 1, perPage: 50, site: site).rows.compactMap {
            if case .text(let name)? = $0.first?.1 { name } else { nil }
        }
    }

    @Test(arguments: Backend.all) func aFirstDeepRecordsNoneAndALaterDeepStillRemovesUnsentRows(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, database in
            let token = try await storage.addSite("Acme")
            let site = try #require(try await storage.site(forToken: token))
            _ = try await storage.beginRun(deep(first), site: site)
            _ = try await storage.applyBatch(Fixtures.customers(run: first, ["C1", "C2"]), site: site)
            _ = try await storage.applyBatch(Fixtures.customers(run: first, ["C3"], sequence: 1), site: site)
            #expect(try await database.olderRows(run: first, entity: "Customer") == false)
            #expect(try await complete(storage, first, site) == 0)
            #expect(try await names(storage, site) == ["C1", "C2", "C3"])

            _ = try await storage.beginRun(deep(again), site: site)
            _ = try await storage.applyBatch(Fixtures.customers(run: again, ["C2"]), site: site)
            #expect(try await database.olderRows(run: again, entity: "Customer") == true)
            #expect(try await complete(storage, again, site) == 2)
            #expect(try await names(storage, site) == ["C2"])
        }
    }

    /// The note is what the completion goes by: with it, a row that appeared after the first batch stays; without it
    /// (a run begun before the hub knew the column), the completion searches as it always did.
    @Test(arguments: Backend.all) func theCompletionGoesByTheNoteAndSearchesWhenThereIsNone(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, database in
            let token = try await storage.addSite("Acme")
            let site = try #require(try await storage.site(forToken: token))
            _ = try await storage.beginRun(deep(first), site: site)
            _ = try await storage.applyBatch(Fixtures.customers(run: first, ["C1"]), site: site)
            _ = try await storage.beginRun(deep(again), site: site)
            _ = try await storage.applyBatch(Fixtures.customers(run: again, ["C2"]), site: site)
            // `first` noted no older rows, though `again` has stored C2 since.
            #expect(try await complete(storage, first, site) == 0)
            #expect(try await names(storage, site) == ["C1", "C2"])

            try await database.forgetOlderRows(run: again, entity: "Customer")
            #expect(try await database.olderRows(run: again, entity: "Customer") == nil)
            #expect(try await complete(storage, again, site) == 1)
            #expect(try await names(storage, site) == ["C2"])
        }
    }

    @Test(arguments: Backend.all) func incrementalRunsNoteNothing(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, database in
            let token = try await storage.addSite("Acme")
            let site = try #require(try await storage.site(forToken: token))
            _ = try await storage.beginRun(SyncRunStart(runID: first, connection: "Main", type: .incremental, timeframe: .beginningOfTime,
                                                        startDate: nil, entities: ["Customer"]), site: site)
            _ = try await storage.applyBatch(Fixtures.customers(run: first, ["C1"]), site: site)
            #expect(try await database.olderRows(run: first, entity: "Customer") == nil)
            #expect(try await complete(storage, first, site) == 0)
        }
    }
}

extension TestDatabase {
    /// What `sync_run_entity.older_rows` holds for the run's entity (nil: unknown), read the same way on both backends.
    func olderRows(run: String, entity: String) async throws -> Bool? {
        let values = try await query("""
            SELECT CASE WHEN older_rows IS NULL THEN 'unknown' WHEN older_rows THEN 'true' ELSE 'false' END
            FROM sync_run_entity WHERE run_id = '\(run)' AND entity = '\(entity)'
            """)
        return values.first.flatMap { Bool($0) }
    }

    /// Clears the note, as a run begun before the column existed has it.
    func forgetOlderRows(run: String, entity: String) async throws {
        try await execute("UPDATE sync_run_entity SET older_rows = NULL WHERE run_id = '\(run)' AND entity = '\(entity)'")
    }
}
