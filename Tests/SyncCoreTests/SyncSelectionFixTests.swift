import Testing
import SyncCore
import TielineCore

@Suite("Sync selection messages")
struct SyncSelectionFixTests {
    @Test func refusalNamesTheConnectionAndACommandThatParses() {
        var mappings = Mappings()
        _ = mappings.enable([EntityCatalog.job])
        do {
            _ = try SyncSelection.resolve(only: ["Customer"], mappings: mappings, ownsPJ: false, connection: "Company")
            Issue.record("expected entity_not_mapped")
        } catch {
            #expect(error.code == .entityNotMapped)
            #expect(error.message == "Customer is not mapped on connection Company; tick it first with: tieline mappings enable --connection Company \"Customer\"")
        }
    }
}
