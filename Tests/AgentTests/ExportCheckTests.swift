import Foundation
import GRDB
@testable import Agent
import Logging
import SageStore
import Synchronization
import SyncCore
import Testing
import TielineCore

/// The worker's events, as it emits them.
final class WorkerEvents: Sendable {
    private let events = Mutex<[ExportWorker.ExportEvent]>([])
    func append(_ event: ExportWorker.ExportEvent) { events.withLock { $0.append(event) } }
    var all: [ExportWorker.ExportEvent] { events.withLock { $0 } }
}

@Suite("The agent's Sage checks")
struct ExportCheckTests {
    func worker(_ events: WorkerEvents) -> ExportWorker {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return ExportWorker(home: makeHome(), logger: logger) { event in events.append(event) }
    }

    @Test func sagesAnswerIsItsProblemsOrNone() throws {
        let company = try sampleCompany()
        let events = WorkerEvents()
        var missing = try samplePCCO()
        missing.lines[1].contractItem = "999"
        let checks = worker(events).check([ExportAssignment(id: 1, export: try samplePCCO(), transactionDate: missing.transactionDate!, check: true),
                                           ExportAssignment(id: 2, export: missing, transactionDate: missing.transactionDate!, check: true)],
                                          company: company)
        #expect(checks.map { $0.unreadable } == [nil, nil])
        #expect(checks[0].problems.isEmpty)
        #expect(checks[1].problems.map { $0.message } == ["line 2 (id 88002, Catch basin): contract item '999' does not exist on contract 24-118"])
    }

    /// A Sage that cannot be read (here a table gone, as a locked or moved database fails a read) gives no
    /// verdict: nothing is reported as a problem, so the hub keeps the PCCO Checking with Sage and asks again.
    @Test func aFailedReadOfSageIsNoAnswerNotAProblem() throws {
        let company = try sampleCompany()
        try company.write { db in try db.execute(sql: "DROP TABLE CNC_ACTIVE__CONTRACT_ITEM") }
        let events = WorkerEvents()
        let export = try samplePCCO()
        let checks = worker(events).check([ExportAssignment(id: 7, export: export, transactionDate: export.transactionDate!, check: true)],
                                          company: company)
        #expect(checks.count == 1)
        #expect(checks[0].problems.isEmpty, "a read failure is not Sage's verdict: \(checks[0].problems)")
        let reason = try #require(checks[0].unreadable)
        #expect(reason.contains("CNC_ACTIVE__CONTRACT_ITEM"), "\(reason)")
        let reported = events.all.compactMap { event -> Int64? in
            if case .uncheckable(let id, _) = event { return id }
            return nil
        }
        #expect(reported == [7])
    }
}
