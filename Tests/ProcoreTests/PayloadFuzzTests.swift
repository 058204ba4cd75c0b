import Foundation
import Procore
import Testing
import TielineCore

/// One malformed variant of the sample and the error it must produce.
struct Mutation: CustomTestStringConvertible, Sendable {
    let path: String
    let value: JSONValue?
    let expectedCode: TielineError.Code
    let expectedMessage: String
    var testDescription: String { "\(path) = \(value.map { $0.serialized().clipped(30) } ?? "<removed>")" }
}

let items = "request_data.prime_contract_change_order_items"
let huge = String(repeating: "x", count: 1_000_000)

/// The message without a leading Procore line label (`line 3 (id 99003, Counterflashing): `).
func withoutLineLabel(_ message: String) -> String {
    guard let match = message.firstMatch(of: #/^line \d+( \([^)]*\))?: /#) else { return message }
    return String(message[match.range.upperBound...])
}

let mutations: [Mutation] = [
    Mutation(path: "\(items)[1].amount", value: .string("abc"), expectedCode: .invalidMoney,
             expectedMessage: "\(items)[1].amount: 'abc' is not a decimal amount"),
    Mutation(path: "\(items)[0].amount", value: .string("10.005"), expectedCode: .invalidMoney,
             expectedMessage: "\(items)[0].amount: '10.005' has more than 2 decimals"),
    Mutation(path: "\(items)[0].amount", value: .string("1e5"), expectedCode: .invalidMoney,
             expectedMessage: "\(items)[0].amount: '1e5' is not a decimal amount"),
    Mutation(path: "\(items)[0].amount", value: .number("1.5e3"), expectedCode: .invalidMoney,
             expectedMessage: "\(items)[0].amount: '1.5e3' is not a decimal amount"),
    Mutation(path: "\(items)[0].amount", value: .string("99999999999999999.00"), expectedCode: .invalidMoney,
             expectedMessage: "\(items)[0].amount: '99999999999999999.00' exceeds the largest amount"),
    Mutation(path: "\(items)[0].amount", value: .bool(true), expectedCode: .procorePayload,
             expectedMessage: "\(items)[0].amount: expected a decimal amount, found a boolean"),
    Mutation(path: "\(items)[0].amount", value: .string(huge), expectedCode: .procorePayload,
             expectedMessage: "\(items)[0].amount: 1000000 characters is not a decimal amount"),
    Mutation(path: "\(items)[1].amount", value: nil, expectedCode: .procorePayload,
             expectedMessage: "\(items)[1].amount: missing"),
    Mutation(path: "\(items)[1].cost_code", value: nil, expectedCode: .procorePayload,
             expectedMessage: "\(items)[1].cost_code: missing"),
    Mutation(path: "\(items)[0].cost_code.full_code", value: .number("42"), expectedCode: .procorePayload,
             expectedMessage: "\(items)[0].cost_code.full_code: expected a string, found a number"),
    Mutation(path: "\(items)[0].line_item_type.code", value: .string("  "), expectedCode: .procorePayload,
             expectedMessage: "\(items)[0].line_item_type.code: is empty"),
    Mutation(path: "\(items)[0].markup_line_items[0].markup.destination_cost_code", value: nil, expectedCode: .procorePayload,
             expectedMessage: "\(items)[0].markup_line_items[0].markup.destination_cost_code: missing"),
    Mutation(path: "\(items)[0].markup_line_items[0].amount", value: .string("15OO.00"), expectedCode: .invalidMoney,
             expectedMessage: "\(items)[0].markup_line_items[0].amount: '15OO.00' is not a decimal amount"),
    Mutation(path: "\(items)[0].id", value: .number("1.5"), expectedCode: .procorePayload,
             expectedMessage: "\(items)[0].id: '1.5' is not an integer id"),
    Mutation(path: "\(items)[0].id", value: .string("88001"), expectedCode: .procorePayload,
             expectedMessage: "\(items)[0].id: expected an integer id, found a string"),
    Mutation(path: "request_data.prime_contract_change_order.title", value: .string(huge), expectedCode: .procorePayload,
             expectedMessage: "request_data.prime_contract_change_order.title: 1000000 characters is longer than the 10000 allowed"),
    Mutation(path: "request_data.project.origin_code", value: .string(String(repeating: "9", count: 300)), expectedCode: .procorePayload,
             expectedMessage: "request_data.project.origin_code: 300 characters is longer than the 255 allowed"),
    Mutation(path: "request_data.project.origin_code", value: nil, expectedCode: .procorePayload,
             expectedMessage: "request_data.project.origin_code: missing; the project is not linked to Sage"),
    Mutation(path: "request_data.prime_contract.origin_code", value: .null, expectedCode: .procorePayload,
             expectedMessage: "request_data.prime_contract.origin_code: missing; the prime contract is not linked to Sage"),
    Mutation(path: "request_data.prime_contract_change_order.erp_custom_fields.transaction_date", value: .string("2024-02-30"),
             expectedCode: .invalidDate,
             expectedMessage: "request_data.prime_contract_change_order.erp_custom_fields.transaction_date: '2024-02-30' is not a calendar date"),
    Mutation(path: "request_data.prime_contract_change_order.erp_custom_fields.transaction_date", value: .string("20.09.2024"),
             expectedCode: .invalidDate,
             expectedMessage: "request_data.prime_contract_change_order.erp_custom_fields.transaction_date: '20.09.2024' is not a date in the form YYYY-MM-DD"),
    Mutation(path: "request_data.prime_contract_change_order.id", value: .string("7781"), expectedCode: .procorePayload,
             expectedMessage: "request_data.prime_contract_change_order.id: expected an integer id, found a string"),
    Mutation(path: "request_data.request_detail_id", value: nil, expectedCode: .procorePayload,
             expectedMessage: "request_data.request_detail_id: missing"),
    Mutation(path: items, value: .object([:]), expectedCode: .procorePayload,
             expectedMessage: "\(items): expected an array, found an object"),
    Mutation(path: "request_data.prime_contract_change_order", value: .array([]), expectedCode: .procorePayload,
             expectedMessage: "request_data.prime_contract_change_order: expected an object, found an array"),
    Mutation(path: "request_name", value: .string("delete_everything"), expectedCode: .procoreUnsupportedRequest,
             expectedMessage: "request_name: 'delete_everything' is not an event Tieline handles"),
]

@Suite("Malformed ERP payloads give specific errors")
struct PayloadFuzzTests {
    @Test("each malformed field names its path", arguments: mutations)
    func specificError(_ m: Mutation) throws {
        let doc = try Fixtures.sample.setting(steps(m.path), to: m.value)
        do {
            let event = try ERPEvent.parse(document: doc)
            Issue.record("expected \(m.expectedCode) but parsed \(event)")
        } catch {
            #expect(error.code == m.expectedCode)
            // A line's errors start with Procore's name for the line, then the field's path.
            let inLine = m.path.hasPrefix(items + "[")
            let message = inLine ? withoutLineLabel(error.message) : error.message
            #expect(!inLine || message != error.message, "no line label: \(error.message.clipped(300))")
            #expect(message.hasPrefix(m.expectedMessage), "got: \(error.message.clipped(300))")
        }
    }

    /// Payload errors name Procore's line as a person finds it: position, id, description.
    @Test("a line's payload error names its position, Procore id and description")
    func lineErrorsNameTheLine() throws {
        let doc = try Fixtures.sample.setting(steps("\(items)[1].amount"), to: .string("1000.005"))
            .setting(steps("\(items)[1].position"), to: .number("3"))
            .setting(steps("\(items)[1].id"), to: .number("99003"))
            .setting(steps("\(items)[1].description"), to: .string("Counterflashing"))
        let error = #expect(throws: TielineError.self) { try ERPEvent.parse(document: doc) }
        #expect(error?.message == "line 3 (id 99003, Counterflashing): \(items)[1].amount: '1000.005' has more than 2 decimals")
    }

    /// Negative amounts are legitimate credits (deduct change orders) and are kept exactly.
    @Test("negative amounts are accepted as credits")
    func negativeAmounts() throws {
        let doc = try Fixtures.sample.setting(steps("\(items)[0].amount"), to: .string("-287.62"))
            .setting(steps("\(items)[0].extended_amount"), to: .string("-250.10"))
            .setting(steps("\(items)[0].markup_line_items[0].amount"), to: .string("-37.52"))
        guard case .createChangeOrder(let export) = try ERPEvent.parse(document: doc) else { Issue.record("not a create"); return }
        #expect(export.lines[0].amount == Money(cents: -28_762))
        #expect(export.lines[0].extendedAmount == Money(cents: -25_010))
        #expect(export.lines[0].markups[0].amount == Money(cents: -3_752))
    }

    /// Unknown fields are ignored: Procore adds fields freely.
    @Test("unexpected extra fields are ignored")
    func extraFields() throws {
        let doc = try Fixtures.sample.setting(steps("request_data.prime_contract_change_order.brand_new_field"), to: .array([.bool(true)]))
            .setting(steps("\(items)[0].surprise"), to: .object(["x": .null]))
        #expect(throws: Never.self) { try ERPEvent.parse(document: doc) }
    }

    /// Property: every scalar replaced by a wrong-typed value either parses (field unused or
    /// optional) or fails with an error naming exactly that field. Never a crash, never a vague error.
    @Test("every leaf, mistyped, fails at its own path or not at all")
    func everyLeafMistyped() throws {
        let sample = try Fixtures.sample
        var failures = 0
        for (path, value) in sample.leaves() {
            let replacements: [JSONValue]
            switch value {
            case .string: replacements = [.number("1"), .bool(false), .array([]), .null]
            case .number: replacements = [.string("x"), .number("1.25"), .object([:]), .null]
            case .bool: replacements = [.string("yes"), .number("0")]
            default: replacements = [.number("-3"), .string(huge)]
            }
            for replacement in replacements {
                let doc = sample.setting(path, to: replacement)
                do {
                    _ = try ERPEvent.parse(document: doc)
                } catch {
                    failures += 1
                    let where_ = render(path)
                    // A line's errors are named as Procore shows the line, then the field's path.
                    let inLine = where_.hasPrefix(items + "[")
                    let message = inLine ? withoutLineLabel(error.message) : error.message
                    #expect(!inLine || message != error.message, "\(where_): no line label in \(error.message.clipped(200))")
                    // A money field changed to another number unbalances its line: amount = extended_amount + markups.
                    let unbalanced = inLine && message.contains("is not extended_amount")
                    #expect(message.hasPrefix(where_ + ":") || message.hasPrefix(where_ + " ") || unbalanced,
                            "\(where_) = \(replacement.serialized().clipped(20)) gave: \(error.message.clipped(200))")
                }
            }
        }
        #expect(failures > 40)
    }

    @Test("malformed JSON documents are rejected with an offset, not a crash",
          arguments: ["", "{", "{\"a\": }", "[1, 2", "{\"a\" 1}", "nul", "{\"a\": \"\\x\"}", "\"unterminated",
                      "{\"a\": 01x}", "{} trailing", String(repeating: "[", count: 10_000)])
    func malformedJSON(_ text: String) {
        #expect {
            _ = try JSONValue.parse(Data(text.utf8), context: "payload")
        } throws: { error in
            (error as? TielineError)?.code == .procoreMalformedJSON
        }
    }

    @Test("reset and unlink events parse")
    func resetAndUnlink() throws {
        let reset = try JSONValue.parse(Data(#"""
            {"request_name": "reset_prime_contract_change_order", "request_data": {
              "prime_contract_id": 76, "prime_contract_origin_id": "x", "prime_contract_change_order_id": 79,
              "prime_contract_change_order_number": "031", "job_id": "j", "project_id": 48,
              "prime_contract_change_order_line_items": [{"id": 586, "amount": "66.0"}],
              "reset_estimate_transactions": false, "reset_revenue_transactions": true,
              "prime_contract_change_order_origin_id": "123f"}}
            """#.utf8))
        #expect(try ERPEvent.parse(document: reset) == .resetChangeOrder(ChangeOrderReset.testValue))
        let unlink = try JSONValue.parse(Data(#"""
            {"request_name": "unlink_prime_contract_change_order", "request_data": {
              "prime_contract": {"id": 1, "origin_id": "MYPC"},
              "prime_contract_change_order": {"id": 3, "number": "327 - MYPC - CO1", "origin_id": "MYPCCO1"},
              "prime_contract_change_order_line_items": [{"id": 5}], "request_detail_id": 12345}}
            """#.utf8))
        guard case .unlinkChangeOrder(let u) = try ERPEvent.parse(document: unlink) else { Issue.record("not an unlink"); return }
        #expect(u.pccoID == 3)
        #expect(u.number == "327 - MYPC - CO1")
        #expect(u.lineItemIDs == [5])
        #expect(u.requestDetailID == 12345)
    }
}

extension ChangeOrderReset {
    static var testValue: ChangeOrderReset {
        ChangeOrderReset(projectID: 48, primeContractID: 76, pccoID: 79, number: "031", pccoOriginID: "123f",
                         lineItemIDs: [586], resetEstimateTransactions: false, resetRevenueTransactions: true)
    }
}
