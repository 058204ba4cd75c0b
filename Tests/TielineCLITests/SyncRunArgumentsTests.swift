import Foundation
import Testing
@testable import TielineCLI

@Suite("sync run arguments")
struct SyncRunArgumentsTests {
    @Test func onlyTakesSeveralEntitiesAfterOneFlag() throws {
        let command = try #require(try TielineCommand.parseAsRoot(
            ["sync", "run", "--connection", "Company", "--only", "Transaction (JC)", "Contract Item (CN)", "--type", "incremental"]) as? SyncRunCommand)
        #expect(command.only == ["Transaction (JC)", "Contract Item (CN)"])
        let repeated = try #require(try TielineCommand.parseAsRoot(
            ["sync", "run", "--connection", "Company", "--only", "Job", "--only", "Customer"]) as? SyncRunCommand)
        #expect(repeated.only == ["Job", "Customer"])
    }
}

@Suite("sync run output")
struct SyncRunOutputTests {
    /// What the printer wrote to stdout when output goes to a file (not a terminal).
    final class Written: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        func add(_ more: String) { lock.withLock { text += more } }
        var value: String { lock.withLock { text } }
    }

    @Test func finishedEntitiesCountTheirBatchesInEnglish() {
        let written = Written()
        let printer = SyncProgressPrinter(json: false, terminal: false) { text, error in if !error { written.add(text) } }
        printer.handle(.entityFinished(entity: "Job", upserts: 3, deletes: 0, batches: 1))
        printer.handle(.entityFinished(entity: "Customer", upserts: 9, deletes: 1, batches: 2))
        #expect(written.value == "✓ Job: 3 upserted, 0 deleted in 1 batch\n✓ Customer: 9 upserted, 1 deleted in 2 batches\n")
    }
}
