import SyncCore
import Testing
import TielineCore

@Suite struct MappingsGuaranteeTests {
    @Test func enablingIsAdditive() {
        var mappings = Mappings(enabled: ["Customer"])
        let change = mappings.enable([EntityCatalog.contract])
        #expect(mappings.enabled == ["Customer", "Contract (CN)"])
        #expect(change.added == ["Contract (CN)"])
        #expect(mappings.enable([EntityCatalog.contract]).isEmpty)
    }

    @Test func removalWithoutPermissionChangesNothingAndNamesTheDependent() {
        var mappings = Mappings(enabled: ["Contract Item (CN)", "Customer"])
        let before = mappings
        let error = #expect(throws: TielineError.self) {
            _ = try mappings.disable([EntityCatalog.contractItem], allowRemoval: false)
        }
        #expect(error?.code == .removalNotAllowed)
        #expect(error?.message.contains("PCCO export needs Contract Item (CN)") == true)
        #expect(mappings == before)
    }

    @Test func removalWithPermissionUnticks() throws {
        var mappings = Mappings(enabled: ["Contract Item (CN)", "Customer"])
        let change = try mappings.disable([EntityCatalog.contractItem], allowRemoval: true)
        #expect(mappings.enabled == ["Customer"])
        #expect(change.removed == ["Contract Item (CN)"])
    }

    @Test func unticking_an_unticked_entity_needs_no_permission() throws {
        var mappings = Mappings(enabled: ["Customer"])
        let change = try mappings.disable([EntityCatalog.contract], allowRemoval: false)
        #expect(change.isEmpty)
        #expect(mappings.enabled == ["Customer"])
    }

    @Test func unknownFieldOptionListsTheValidOnes() {
        var mappings = Mappings()
        do {
            _ = try mappings.setFields(of: EntityCatalog.transaction, exclude: ["Credit Acount"], include: [])
            Issue.record("a misspelt option must be refused")
        } catch {
            #expect(error.code == .unknownFieldOption)
            #expect(error.message.contains("Credit Account"))
        }
        #expect(mappings.clearedFields.isEmpty)
    }

    @Test func summaryShowsEveryEntityAndOption() {
        var mappings = Mappings(enabled: ["Customer"])
        _ = try? mappings.setFields(of: EntityCatalog.transaction, exclude: ["employee"], include: [])
        let summary = MappingsSummary(mappings)
        #expect(summary.entities.count == 13)
        #expect(summary.entities.first { $0.name == "Customer" }?.ticked == true)
        #expect(summary.fieldOptions.count == 8)
        #expect(summary.fieldOptions.first { $0.option == "Employee" }?.on == false)
        #expect(summary.lines.contains("        ○ Employee (cleared)"))
        #expect(summary.lines.contains("  [x] Customer"))
    }
}
