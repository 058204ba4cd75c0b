import SageModel
import SyncCore
import Testing
import TielineCore

/// The validator's limits and the status it demands are SageModel's, not numbers of its own.
@Suite("Export validation follows SageModel")
struct ExportValidatorRulesTests {
    /// A lookup where everything exists and the contract has the given status.
    struct Lookup: ERPLookup {
        var status: String
        func jobExists(_ job: String) throws -> Bool { true }
        func contract(_ contract: String) throws -> (job: String, status: String)? { ("J-1", status) }
        func contractItemExists(contract: String, item: String) throws -> Bool { true }
        func categoryExists(job: String, costCode: String, category: String) throws -> Bool { true }
        func changeOrderReference(contract: String, number: String) throws -> String?? { nil }
    }

    func export(number: String, title: String) -> ChangeOrderExport {
        ChangeOrderExport(intake: .publicAPI, procoreProjectID: 1, projectName: "Clinic", job: "J-1", procoreContractID: 7, contract: "J-1",
                          pccoID: 1, number: number, title: title, status: "approved",
                          lines: [.init(procoreID: 11, description: "Dig", amount: Money(cents: 100), contractItem: "100", costCode: "02-200", category: "S")])
    }

    @Test func limitsEqualSageSchemasColumnLengths() throws {
        let changeOrder = try #require(SageSchema.changeOrder.column("Change_Order")?.kind.length)
        let description = try #require(SageSchema.changeOrder.column("Description")?.kind.length)
        #expect(ExportValidator.changeOrderLength == changeOrder)
        #expect(ExportValidator.descriptionLength == description)
        let lookup = Lookup(status: SageRules.contractStatusTakingChangeOrders)
        // At the schema's length: no problem; one over: the field and the schema's limit are named.
        let fits = export(number: String(repeating: "9", count: changeOrder), title: String(repeating: "t", count: description))
        #expect(try ExportValidator.problems(fits, lookup: lookup).isEmpty)
        let over = export(number: String(repeating: "9", count: changeOrder + 1), title: String(repeating: "t", count: description + 1))
        let problems = try ExportValidator.problems(over, lookup: lookup)
        #expect(problems.map(\.field) == ["number", "title"])
        #expect(problems[0].message.hasSuffix("Sage's Change_Order allows at most \(changeOrder)"))
        #expect(problems[1].message.hasSuffix("Sage's Description allows at most \(description)"))
    }

    @Test func onlyTheStatusSageModelNamesTakesChangeOrders() throws {
        let ok = export(number: "001", title: "Owner change")
        #expect(try ExportValidator.problems(ok, lookup: Lookup(status: SageRules.contractStatusTakingChangeOrders)).isEmpty)
        for status in SageRules.contractStatuses where status != SageRules.contractStatusTakingChangeOrders {
            let problems = try ExportValidator.problems(ok, lookup: Lookup(status: status))
            #expect(problems.map(\.message) == ["Sage contract J-1 is \(status); it must be \(SageRules.contractStatusTakingChangeOrders) before it takes change orders"])
        }
    }
}
