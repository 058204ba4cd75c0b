import Foundation
import GRDB
@testable import Agent
import SageModel
import SageStore
import SyncCore
import Testing
import TielineCore

/// Exactly once through a write path that commits every record on its own (`EmbeddedExportTarget`),
/// with a failpoint before and after every step.
@Suite("Step-by-step export writer")
struct StepExportWriterTests {
    let date = try! CalendarDate(parsing: "2024-09-20")

    /// What Sage holds for the sample PCCO: change orders, items and JC entries with their amounts.
    static func holdings(_ company: SageCompany, reference: String = "procore:pcco:7781") throws -> [String] {
        try company.read { db in
            let headers = try Row.fetchAll(db, sql: "SELECT Change_Order, Amount FROM CNC_ACTIVE__CHANGE_ORDER WHERE Chg_Mgmt_Ref_1 = ?", arguments: [reference])
                .map { "CO \($0["Change_Order"] as String) \($0["Amount"] as Money)" }
            let items = try Row.fetchAll(db, sql: "SELECT Item, Amount FROM CNC_ACTIVE__CHANGE_ORDER_ITEM WHERE Contract = '24-118' AND Change_Order = '007' ORDER BY Item")
                .map { "item \($0["Item"] as String) \($0["Amount"] as Money)" }
            let entries = try Row.fetchAll(db, sql: """
                SELECT Transaction_Type, Item, Cost_Code, Category, Amount FROM JCT_UNPOSTED__TRANSACTION WHERE Chg_Mgmt_Ref_1 = :ref
                UNION ALL SELECT Transaction_Type, Item, Cost_Code, Category, Amount FROM JCT_CURRENT__TRANSACTION WHERE Chg_Mgmt_Ref_1 = :ref
                ORDER BY 1, 2, 3, 4
                """, arguments: ["ref": reference])
                .map { "JC \($0["Transaction_Type"] as String) \($0["Item"] as String? ?? "-") \($0["Cost_Code"] as String? ?? "-")/\($0["Category"] as String? ?? "-") \($0["Amount"] as Money)" }
            return headers + items + entries
        }
    }

    struct Crash: Error {}

    static let moments: [StepExportWriter.Moment] = [.before, .after]

    @Test func aCleanRunWritesWhatTheOneTransactionWriterWrites() throws {
        let stepped = try sampleCompany(), atomic = try sampleCompany()
        let result = try StepExportWriter(target: EmbeddedExportTarget(company: stepped), state: try AgentState.inMemory(), connection: "c")
            .write(try samplePCCO(), transactionDate: date)
        let reference = try ExportWriter(company: atomic).write(try samplePCCO(), transactionDate: date)
        #expect(try Self.holdings(stepped) == Self.holdings(atomic))
        #expect(try Self.holdings(stepped).count == 8, "header, two items, two schedule-value and three estimate entries")
        #expect(result.alreadyWritten == false)
        #expect(result.total == reference.total && result.items == reference.items && result.entries == reference.entries)
        #expect(result.rowIDs?.items.keys.sorted() == ["100", "200"])
        #expect(result.rowIDs?.estimates.keys.sorted() == ["01-900|O", "02-200|S", "03-300|M"])
    }

    @Test(arguments: moments, 0..<8)
    func aCrashAtAnyStepResumesToExactlyOneExport(_ moment: StepExportWriter.Moment, _ ordinal: Int) throws {
        let company = try sampleCompany(), clean = try sampleCompany()
        let state = try AgentState.inMemory()
        let target = EmbeddedExportTarget(company: company)
        let crashing = StepExportWriter(target: target, state: state, connection: "c") { at, step, _ in
            if at == moment, step == ordinal { throw TielineError(.init("simulated_crash"), "power cut at \(moment) step \(ordinal)") }
        }
        #expect(throws: TielineError.self) { try crashing.write(try samplePCCO(), transactionDate: date) }
        // Before a step nothing of it is in Sage; after it, it is, but unmarked.
        let held = try Self.holdings(company).count
        #expect(held == ordinal + (moment == .after ? 1 : 0))

        let resumed = try StepExportWriter(target: target, state: state, connection: "c").write(try samplePCCO(), transactionDate: date)
        _ = try ExportWriter(company: clean).write(try samplePCCO(), transactionDate: date)
        #expect(try Self.holdings(company) == Self.holdings(clean), "one change order, one set of JC entries")
        #expect(resumed.rowIDs?.items.count == 2 && resumed.rowIDs?.estimates.count == 3)
        #expect(try state.exportPlan(reference: "procore:pcco:7781")?.status == .written)
        // Delivered once more: nothing new, reported as already written.
        let again = try StepExportWriter(target: target, state: state, connection: "c").write(try samplePCCO(), transactionDate: date)
        #expect(again.alreadyWritten)
        #expect(try Self.holdings(company) == Self.holdings(clean))
    }

    @Test func postingBetweenStepsDoesNotDuplicateAnEntry() throws {
        let company = try sampleCompany()
        let state = try AgentState.inMemory()
        let target = EmbeddedExportTarget(company: company)
        let crashing = StepExportWriter(target: target, state: state, connection: "c") { at, step, _ in
            if at == .after, step == 4 { throw TielineError(.init("simulated_crash"), "power cut") }
        }
        #expect(throws: TielineError.self) { try crashing.write(try samplePCCO(), transactionDate: date) }
        // Someone runs Post Entries while the agent is down: the written entries move to history.
        _ = try company.postEntries(batch: ExportWriter.batch)
        _ = try StepExportWriter(target: target, state: state, connection: "c").write(try samplePCCO(), transactionDate: date)
        let jc = try Self.holdings(company).filter { $0.hasPrefix("JC ") }
        #expect(jc.count == 5)
        #expect(Set(jc).count == 5)
    }

    @Test func aRefusalBeforeAnyWriteIsTheExportsOwnErrorAndRecordsNothing() throws {
        let company = try sampleCompany()
        let state = try AgentState.inMemory()
        try company.write { db in
            try ChangeOrder(contract: "24-118", changeOrder: "007", description: "Entered in Sage", date: date, amount: Money(cents: 100)).insert(db)
        }
        let error = #expect(throws: TielineError.self) {
            try StepExportWriter(target: EmbeddedExportTarget(company: company), state: state, connection: "c").write(try samplePCCO(), transactionDate: date)
        }
        #expect(error?.code == .changeOrderConflict)
        #expect(error?.message.contains("entered in Sage") == true)
        #expect(try state.exportPlan(reference: "procore:pcco:7781") == nil)
    }

    @Test func aStepSageHoldsDifferentlyStopsTheExportAndSaysWhatIsWritten() throws {
        let company = try sampleCompany()
        let state = try AgentState.inMemory()
        let target = EmbeddedExportTarget(company: company)
        let crashing = StepExportWriter(target: target, state: state, connection: "c") { at, step, _ in
            if at == .before, step == 2 { throw TielineError(.init("simulated_crash"), "power cut") }
        }
        #expect(throws: TielineError.self) { try crashing.write(try samplePCCO(), transactionDate: date) }
        // While the agent is down, someone enters item 200 of the change order by hand, with another amount.
        try company.write { db in
            try ChangeOrderItem(contract: "24-118", changeOrder: "007", item: "200", description: "by hand", amount: Money(cents: 5)).insert(db)
        }
        let error = #expect(throws: TielineError.self) {
            try StepExportWriter(target: target, state: state, connection: "c").write(try samplePCCO(), transactionDate: date)
        }
        #expect(error?.code == .exportPartial)
        let message = error?.message ?? ""
        #expect(message.contains("stopped at item 200") && message.contains("0.05") && message.contains("1000.00"), "\(message)")
        #expect(message.contains("Sage already holds change order 007, item 100"), "\(message)")
        #expect(message.contains("finishes the remaining 6 steps without"), "counted in English, not step(s): \(message)")
        let recorded = try state.exportPlan(reference: "procore:pcco:7781")
        #expect(recorded?.status == .stopped)
        #expect(recorded?.done.count == 2)
    }

    @Test(arguments: [0, 3, 6])
    func aPCCOHalfWrittenStepByStepIsFinishedAfterTheConnectionSwitchesToOneTransaction(_ ordinal: Int) throws {
        let company = try sampleCompany(), clean = try sampleCompany()
        let state = try AgentState.inMemory()
        let crashing = StepExportWriter(target: EmbeddedExportTarget(company: company), state: state, connection: "c") { at, step, _ in
            if at == .after, step == ordinal { throw TielineError(.init("simulated_crash"), "power cut") }
        }
        #expect(throws: TielineError.self) { try crashing.write(try samplePCCO(), transactionDate: date) }
        #expect(try Self.holdings(company).count == ordinal + 1)

        // The user switches the connection to one-transaction writes; the export comes again.
        let results = ExportWorker.write([(try samplePCCO(), date)], mode: .transaction, company: company, state: state, connection: "c")
        let written = try #require(try results.first?.get())
        _ = try ExportWriter(company: clean).write(try samplePCCO(), transactionDate: date)
        #expect(try Self.holdings(company) == Self.holdings(clean), "the missing items and entries are written, once")
        #expect(written.alreadyWritten == false)
        #expect(try state.exportPlan(reference: "procore:pcco:7781")?.status == .written)
    }

    @Test func oneTransactionWritesRecordNoPlanAndAStepByStepRetryFindsThemWritten() throws {
        let company = try sampleCompany()
        let state = try AgentState.inMemory()
        let first = ExportWorker.write([(try samplePCCO(), date)], mode: .transaction, company: company, state: state, connection: "c")
        #expect(try first.first?.get().alreadyWritten == false)
        #expect(try state.exportPlan(reference: "procore:pcco:7781") == nil, "written by the one-transaction writer")
        let held = try Self.holdings(company)
        let again = ExportWorker.write([(try samplePCCO(), date)], mode: .steps, company: company, state: state, connection: "c")
        #expect(try again.first?.get().alreadyWritten == true)
        #expect(try Self.holdings(company) == held)
    }
}

@Suite("Key ledger")
struct KeyLedgerTests {
    @Test(arguments: [
        [SyncValue.text("24-118"), .text("01|2:3"), .integer(-7), .null],
        [.text(""), .text("Übergröße – 5 m²"), .text("t3:abc")],
        [.integer(Int64.max)],
    ])
    func keysRoundTripThroughTheirText(_ key: [SyncValue]) {
        #expect(KeyLedger.decode(KeyLedger.encode(key)) == key)
    }

    @Test func differentKeysNeverShareText() {
        #expect(KeyLedger.encode([.text("a|b")]) != KeyLedger.encode([.text("a"), .text("b")]))
        #expect(KeyLedger.encode([.integer(1)]) != KeyLedger.encode([.text("1")]))
    }
}
