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
