import Testing
import Foundation
@testable import TielineCore

@Suite("Money is exact decimal")
struct MoneyTests {
    @Test func parsesPlainDecimals() throws {
        #expect(try Money(parsing: "10000.00").cents == 1_000_000)
        #expect(try Money(parsing: "1.5").cents == 150)
        #expect(try Money(parsing: "-12.05").cents == -1205)
        #expect(try Money(parsing: "7").cents == 700)
        #expect(try Money(parsing: ".25").cents == 25)
        #expect(try Money(parsing: "1.500").cents == 150)  // trailing zeros are exact
    }

    /// The byte-by-byte reading of well-formed ASCII must give what the general path gives, and defer everything else to it.
    @Test func plainReadingAgreesWithTheGeneralPath() throws {
        let cases: [(String, Int64?)] = [
            ("0", 0), ("-0", 0), ("+5", 500), (" 5 ", 500), ("\t-1.2\n", -120), ("\r\n5\r\n", 500), ("007.10", 710), ("5.", 500), (".5", 50),
            ("9999999999999.99", 999_999_999_999_999), ("00000000000000001.00", 100), ("1.2300", 123),
            ("", nil), (".", nil), ("-", nil), ("1.005", nil), ("1.2.3", nil), ("- 5", nil), ("12345678901234", nil), ("٣", nil), ("1e2", nil),
        ]
        for (text, cents) in cases {
            #expect(Money.plainCents(text.utf8) == cents, "\(text)")
            if let cents { #expect(try Money(parsing: text).cents == cents) } else { #expect(throws: TielineError.self) { try Money(parsing: text) } }
        }
        #expect(" padded\t".trimmingWhitespace() == "padded")
        #expect("\r\nline\r\n".trimmingWhitespace() == "line")
        #expect("as is".trimmingWhitespace() == "as is")
    }

    @Test func sumsWithoutFloatingPointDrift() throws {
        // 0.1 + 0.2 is 0.30000000000000004 in binary floating point.
        #expect(try Money(parsing: "0.1") + Money(parsing: "0.2") == Money(parsing: "0.3"))
        let pennies = Array(repeating: try Money(parsing: "0.01"), count: 1_000_000)
        #expect(pennies.sum().description == "10000.00")
    }

    @Test(arguments: ["1.005", "abc", "1e5", "", "-", "1,000.00", "12.3.4", "NaN", "99999999999999.00"])
    func rejectsWhatIsNotAnExactAmount(_ text: String) {
        #expect(throws: TielineError.self) { try Money(parsing: text) }
    }

    @Test func errorNamesFieldAndProblem() {
        do {
            _ = try Money(parsing: "1.005", field: "items[1].amount")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidMoney)
            #expect(error.message == "items[1].amount: '1.005' has more than 2 decimals")
        }
    }

    @Test func formatsWithTwoDecimals() throws {
        #expect(Money(cents: -5).description == "-0.05")
        #expect(Money(cents: 123_456).description == "1234.56")
    }

    @Test func codableAsDecimalString() throws {
        struct Line: Codable { let amount: Money }
        let decoded = try JSONDecoder().decode(Line.self, from: Data(#"{"amount":"1500.00"}"#.utf8))
        #expect(decoded.amount.cents == 150_000)
        let number = try JSONDecoder().decode(Line.self, from: Data(#"{"amount":12.34}"#.utf8))
        #expect(number.amount.cents == 1234)
        #expect(String(decoding: try JSONEncoder().encode(decoded), as: UTF8.self) == #"{"amount":"1500.00"}"#)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(Line.self, from: Data(#"{"amount":"1.001"}"#.utf8)) }
    }
}

@Suite("Calendar dates")
struct CalendarDateTests {
    @Test func roundTripsThroughDayNumbers() throws {
        for text in ["1970-01-01", "2000-02-29", "2024-09-20", "1999-12-31"] {
            let date = try CalendarDate(parsing: text)
            #expect(CalendarDate(daysSinceEpoch: date.daysSinceEpoch) == date)
            #expect(date.description == text)
        }
        #expect(try CalendarDate(parsing: "1970-01-02").daysSinceEpoch == 1)
    }

    @Test(arguments: ["2023-02-29", "2024-13-01", "24-01-01", "2024/01/01", "yesterday"])
    func rejectsImpossibleDates(_ text: String) {
        #expect(throws: TielineError.self) { try CalendarDate(parsing: text) }
    }

    @Test func monthArithmeticClampsToMonthEnd() throws {
        #expect(try CalendarDate(parsing: "2024-03-31").adding(months: -1).description == "2024-02-29")
        #expect(try CalendarDate(year: 42, month: 1, day: 5).description == "0042-01-05")
        #expect(try CalendarDate(year: 9999, month: 12, day: 31).description == "9999-12-31")
        #expect(try CalendarDate(parsing: "2024-01-15").adding(months: -13).description == "2022-12-15")
    }
}

@Suite("Atomic files")
struct AtomicFileTests {
    @Test func replacesContentAndKeepsPermissions() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tieline-atomic-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("secret")
        try AtomicFile.write(Data("one".utf8), to: file, permissions: 0o600)
        try AtomicFile.write(Data("two".utf8), to: file, permissions: 0o600)
        #expect(String(decoding: try Data(contentsOf: file), as: UTF8.self) == "two")
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["secret"])
    }

    @Test func failedWriteLeavesOldContent() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tieline-atomic-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("config.json")
        try AtomicFile.write(Data("old".utf8), to: file)
        // Writing to a path whose parent is a file fails before anything is replaced.
        #expect(throws: TielineError.self) { try AtomicFile.write(Data("new".utf8), to: file.appendingPathComponent("child")) }
        #expect(String(decoding: try Data(contentsOf: file), as: UTF8.self) == "old")
    }
}
