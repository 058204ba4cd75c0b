import Foundation
import GRDB
@testable import Agent
import Procore
import SageStore
import SageModel
import SyncCore
import Testing
import TielineCore

/// The money of a PCCO read as Procore documents it and written by the real writer into Sage.
///
/// Procore's ERP Events Dictionary (create_prime_contract_change_order, line 593): extended_amount
/// "299.0", one markup line "44.85" (15 %), amount "343.85", tax_amount "12.71". A line's amount
/// already includes its markups.
@Suite("PCCO money as Procore documents it")
struct ExportMoneyTests {
    let date = try! CalendarDate(parsing: "2024-09-20")

    /// A PCCO line in the dictionary's shape, on job 24-118 of the sample company.
    static func line(id: Int, description: String, item: String, costCode: String, category: String,
                     amount: String, extended: String?, tax: String? = nil,
                     markups: [(id: Int, amount: String, costCode: String, category: String)] = []) -> String {
        let markupJSON = markups.map { m in
            """
            {"id": \(m.id), "amount": "\(m.amount)", "markup": {"id": 3, "name": "ppmarkupvert", "percentage": "15.00", "markup_set": "vertical",
              "destination_cost_code": {"id": 1, "full_code": "\(m.costCode)"}, "destination_line_item_type": {"id": 2, "code": "\(m.category)"}}}
            """
        }.joined(separator: ",")
        return """
            {"id": \(id), "description": "\(description)", "amount": "\(amount)", \(extended.map { "\"extended_amount\": \"\($0)\"," } ?? "")
             "tax_amount": "\(tax ?? "0.0")", "prime_line_item_origin_code": "\(item)",
             "cost_code": {"id": 1, "full_code": "\(costCode)"}, "line_item_type": {"id": 2, "code": "\(category)"},
             "markup_line_items": [\(markupJSON)]}
            """
    }

    static func export(_ lines: [String], number: String = "049") throws -> ChangeOrderExport {
        let document = """
            {"request_name": "create_prime_contract_change_order", "request_data": {
              "project": {"id": 48, "name": "24-118 - Riverside Clinic", "origin_code": "24-118"},
              "prime_contract": {"id": 311, "origin_code": "24-118"},
              "prime_contract_items": [],
              "prime_contract_change_order": {"id": 7049, "number": "\(number)", "title": "Dictionary example", "status": "approved",
                                              "erp_custom_fields": {"transaction_date": "2024-09-20"}},
              "prime_contract_change_order_items": [\(lines.joined(separator: ","))],
              "request_detail_id": 361}}
            """
        guard case .createChangeOrder(let export) = try ERPEvent.parse(document: try JSONValue.parse(Data(document.utf8), context: "test")) else {
            throw TielineError(.invalidInput, "not a create request")
        }
        return export
    }

    static func written(_ company: SageCompany, reference: String = "procore:pcco:7049") throws -> (revenue: [String], cost: [String], items: [String]) {
        try company.read { db in
            let batch = try UnpostedTransaction.fetchAll(db, sql: "SELECT * FROM JCT_UNPOSTED__TRANSACTION WHERE Chg_Mgmt_Ref_1 = ? ORDER BY Entry",
                                                         arguments: [reference]).map(\.transaction)
            let revenue = batch.filter { $0.transactionType == TransactionType.approvedScheduledValueChange }.map { "\($0.item!) \($0.amount)" }
            let cost = batch.filter { $0.transactionType == TransactionType.approvedEstimateChange }.map { "\($0.costCode!)/\($0.category!) \($0.amount)" }
            let items = try ChangeOrderItem.fetchAll(db, sql: "SELECT * FROM CNC_ACTIVE__CHANGE_ORDER_ITEM WHERE Contract = '24-118' AND Change_Order = '049' ORDER BY Item")
                .map { "\($0.item) \($0.amount)" }
            return (revenue, cost, items)
        }
    }

    @Test func theDictionaryExampleRaisesTheContractByTheAmountOnce() throws {
        let export = try Self.export([Self.line(id: 593, description: "asfd1", item: "100", costCode: "02-200", category: "S",
                                                amount: "343.85", extended: "299.0", tax: "12.71",
                                                markups: [(9, "44.85", "01-900", "O")])])
        #expect(export.lines[0].extendedAmount == Money(cents: 29_900))
        #expect(export.lines[0].taxAmount == Money(cents: 1_271))
        #expect(export.total == Money(cents: 34_385))
        let company = try sampleCompany()
        let result = try ExportWriter(company: company).write(export, transactionDate: date)
        // 299.00 + 44.85 = 343.85 of revenue, not 388.70; tax is shown, never written.
        #expect(result.total == Money(cents: 34_385))
        let written = try Self.written(company)
        #expect(written.revenue == ["100 343.85"])
        #expect(written.items == ["100 343.85"])
        #expect(written.cost == ["01-900/O 44.85", "02-200/S 299.00"])
    }

    @Test func duplicateLinesOnOneItemAreSummedOnce() throws {
        let export = try Self.export([
            Self.line(id: 1, description: "First", item: "100", costCode: "02-200", category: "S", amount: "115.00", extended: "100.00",
                      markups: [(11, "15.00", "01-900", "O")]),
            Self.line(id: 2, description: "Second", item: "100", costCode: "02-200", category: "S", amount: "50.00", extended: "50.00"),
        ])
        let company = try sampleCompany()
        _ = try ExportWriter(company: company).write(export, transactionDate: date)
        let written = try Self.written(company)
        #expect(written.revenue == ["100 165.00"])
        #expect(written.items == ["100 165.00"])
        #expect(written.cost == ["01-900/O 15.00", "02-200/S 150.00"])
    }

    @Test func markupsGoToEachOfTheirDestinations() throws {
        let export = try Self.export([
            Self.line(id: 1, description: "Drain", item: "100", costCode: "02-200", category: "S", amount: "1200.00", extended: "1000.00",
                      markups: [(11, "150.00", "01-900", "O"), (12, "50.00", "03-300", "M")]),
            Self.line(id: 2, description: "Basin", item: "200", costCode: "03-300", category: "M", amount: "110.00", extended: "100.00",
                      markups: [(13, "10.00", "01-900", "O")]),
        ])
        let company = try sampleCompany()
        let result = try ExportWriter(company: company).write(export, transactionDate: date)
        #expect(result.total == Money(cents: 131_000))
        let written = try Self.written(company)
        #expect(written.revenue == ["100 1200.00", "200 110.00"])
        #expect(written.cost == ["01-900/O 160.00", "02-200/S 1000.00", "03-300/M 150.00"])
    }

    @Test func aNegativeLineIsACreditOnBothSides() throws {
        let export = try Self.export([Self.line(id: 1, description: "Deduct", item: "100", costCode: "02-200", category: "S",
                                                amount: "-115.00", extended: "-100.00", markups: [(11, "-15.00", "01-900", "O")])])
        let company = try sampleCompany()
        let result = try ExportWriter(company: company).write(export, transactionDate: date)
        #expect(result.total == Money(cents: -11_500))
        let written = try Self.written(company)
        #expect(written.revenue == ["100 -115.00"])
        #expect(written.cost == ["01-900/O -15.00", "02-200/S -100.00"])
    }

    @Test func anAmountThatIsNotExtendedPlusMarkupsIsRefusedWithBothFigures() throws {
        let error = #expect(throws: TielineError.self) {
            try Self.export([Self.line(id: 99003, description: "Counterflashing", item: "100", costCode: "02-200", category: "S",
                                       amount: "388.70", extended: "299.00", markups: [(9, "44.85", "01-900", "O")])])
        }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("line 1 (id 99003, Counterflashing): "), "\(message)")
        #expect(message.contains("388.70") && message.contains("299.00") && message.contains("343.85"), "\(message)")
        // A cent of rounding is Procore's, not an error.
        let rounded = try Self.export([Self.line(id: 1, description: "Rounded", item: "100", costCode: "02-200", category: "S",
                                                 amount: "343.86", extended: "299.00", markups: [(9, "44.85", "01-900", "O")])])
        #expect(rounded.lines[0].amount == Money(cents: 34_386))
    }

    @Test func aLineWithoutExtendedAmountReadsAsAmountLessItsMarkups() throws {
        let export = try Self.export([Self.line(id: 1, description: "Old shape", item: "100", costCode: "02-200", category: "S",
                                                amount: "343.85", extended: nil, markups: [(9, "44.85", "01-900", "O")])])
        #expect(export.lines[0].extendedAmount == Money(cents: 29_900))
    }
}
