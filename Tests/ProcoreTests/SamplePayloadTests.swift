import Foundation
import Procore
import Testing
import TielineCore

@Suite("The create_prime_contract_change_order sample")
struct SamplePayloadTests {
    @Test("parses into an exact ChangeOrderExport")
    func sampleParses() throws {
        let event = try ERPEvent.parse(document: try Fixtures.sample, companyID: 7)
        guard case .createChangeOrder(let export) = event else {
            Issue.record("expected a create event, got \(event)")
            return
        }
        #expect(export.intake == .erpRequest(requestDetailID: 5120))
        #expect(export.procoreCompanyID == 7)
        #expect(export.job == "24-118")
        #expect(export.contract == "24-118")
        #expect(export.procoreProjectID == 1204)
        #expect(export.procoreContractID == 311)
        #expect(export.pccoID == 7781)
        #expect(export.number == "007")
        #expect(export.title == "Added storm drain")
        #expect(export.status == "approved")
        #expect(export.transactionDate == (try CalendarDate(year: 2024, month: 9, day: 20)))
        #expect(export.lines.count == 2)

        let first = export.lines[0], second = export.lines[1]
        #expect(first.procoreID == 88001)
        #expect(first.amount == Money(cents: 1_150_000))
        // Procore's amount includes the line's markups; extended_amount is the line before them.
        #expect(first.amount.description == "11500.00")
        #expect(first.extendedAmount.description == "10000.00")
        #expect(first.contractItem == "100")
        #expect(first.costCode == "02-200")
        #expect(first.category == "S")
        #expect(first.markups == [ChangeOrderExport.Markup(procoreID: 64, name: "Overhead and profit", amount: Money(cents: 150_000),
                                                           costCode: "01-900", category: "O")])

        #expect(second.procoreID == 88002)
        #expect(second.amount == Money(cents: 100_000))
        #expect(second.contractItem == "200")
        #expect(second.costCode == "03-300")
        #expect(second.category == "M")
        #expect(second.markups.isEmpty)

        #expect(export.total == Money(cents: 1_250_000))
    }

    @Test("keeps numbers exact through the JSON reader")
    func numbersStayExact() throws {
        let doc = try JSONValue.parse(Data(#"{"a": 0.1, "b": 1234567890123.45, "c": -7}"#.utf8))
        let r = PayloadReader(doc)
        #expect(try r.money("a") == Money(cents: 10))
        #expect(try r.money("b") == Money(cents: 123_456_789_012_345))
        #expect(try r.money("c") == Money(cents: -700))
    }
}
