import SyncCore
import Testing
import TielineCore

@Suite struct EntityResolveTests {
    @Test(arguments: [
        ("contract item (cn)", "Contract Item (CN)"),
        ("Contract Item", "Contract Item (CN)"),
        ("  TRANSACTION  ", "Transaction (JC)"),
        ("job", "Job (CV)"),
        ("Contract Change Request", "Contract Change Request (PJ)"),
        ("quick bill contract item", "Quick Bill Contract Item"),
    ])
    func resolvesCaseInsensitivelyWithOrWithoutSuffix(typed: String, expected: String) throws {
        #expect(try EntityCatalog.resolve(typed).name == expected)
    }

    @Test func ambiguousBaseNameAsksWhichOne() {
        do {
            _ = try EntityCatalog.resolve("contract change order")
            Issue.record("expected an ambiguity error")
        } catch {
            #expect(error.code == .ambiguousEntity)
            #expect(error.message.contains("Contract Change Order (CN)") && error.message.contains("Contract Change Order (PJ)"))
        }
    }

    @Test func unknownNameSuggestsTheClosestAndListsAll() {
        do {
            _ = try EntityCatalog.resolve("Contract Itme (CN)")
            Issue.record("expected an unknown-entity error")
        } catch {
            #expect(error.code == .unknownEntity)
            #expect(error.message.contains("did you mean 'Contract Item (CN)'"))
            for entity in EntityCatalog.all { #expect(error.message.contains(entity.name)) }
        }
    }
}
