import Foundation
import GRDB
@testable import Agent
import SageStore
import SageModel
import SyncCore
import Testing
import TielineCore

/// One length rule for hub, agent and store: `SageText` (composed text, Windows-1252 characters, one each).
@Suite("Sage's text rule, the same everywhere")
struct SageTextRuleTests {
    let date = try! CalendarDate(parsing: "2024-09-20")
    /// 30 "e" each followed by U+0301 COMBINING ACUTE ACCENT: 60 scalars as Procore may send them, 30 "é" composed.
    let decomposed = String(repeating: "e\u{301}", count: 30)

    func problems(_ export: ChangeOrderExport, company: SageCompany) throws -> [String] {
        try company.read { db throws in try ExportValidator.problems(export, lookup: SageLookup(db: db)).map(\.message) }
    }

    @Test func aTitleThatValidatesIsStoredAsValidated() throws {
        let company = try sampleCompany()
        var export = try samplePCCO()
        export.title = decomposed
        // Validation (hub and agent use the same validator) measures the composed form: 30 fits Description (30).
        #expect(try problems(export, company: company) == [])
        let result = try ExportWriter(company: company).write(export, transactionDate: date)
        #expect(result.alreadyWritten == false)
        let stored = try company.read { db in
            try String.fetchOne(db, sql: "SELECT Description FROM CNC_ACTIVE__CHANGE_ORDER WHERE Chg_Mgmt_Ref_1 = 'procore:pcco:7781'")
        }
        #expect(stored == String(repeating: "\u{E9}", count: 30))
        #expect(stored.map(SageText.length) == 30)
    }

    @Test func aCharacterSageCannotHoldIsRefusedByName() throws {
        let company = try sampleCompany()
        var export = try samplePCCO()
        export.title = "Drain → north lot"
        #expect(try problems(export, company: company)
                == ["PCCO title 'Drain → north lot' contains U+2192 RIGHTWARDS ARROW, which Sage's Description cannot store"])
        export.title = "Drain"
        export.number = "7Ω"
        #expect(try problems(export, company: company)
                == ["PCCO number '7Ω' contains U+03A9 GREEK CAPITAL LETTER OMEGA, which Sage's Change_Order cannot store"])
        // Windows-1252's own characters are fine, including those at 0x80–0x9F.
        export.number = "€7"
        export.title = "Café – “north” lot"
        #expect(try problems(export, company: company) == [])
    }

    @Test func theStoreCountsAndRefusesByTheSameRule() throws {
        let company = try sampleCompany()
        // Raw decomposed text holds U+0301, which Sage cannot store: named, never a bare CHECK failure.
        let error = #expect(throws: TielineError.self) {
            try company.write { db throws in
                try ChangeOrder(contract: "24-118", changeOrder: "900", description: decomposed, status: "Approved", date: date,
                                amount: .zero, chgMgmtRef1: nil).insert(db)
            }
        }
        #expect(error?.code == .unstorableCharacter)
        #expect(error?.message.contains("U+0301 COMBINING ACUTE ACCENT") == true, "\(error?.message ?? "")")
        // The composed form of the same 30 characters fits; 31 do not, with Sage's limit named.
        try company.write { db throws in
            try ChangeOrder(contract: "24-118", changeOrder: "900", description: SageText.normalized(decomposed), status: "Approved", date: date,
                            amount: .zero, chgMgmtRef1: nil).insert(db)
        }
        let long = #expect(throws: TielineError.self) {
            try company.write { db throws in
                try ChangeOrder(contract: "24-118", changeOrder: "901", description: String(repeating: "\u{E9}", count: 31), status: "Approved",
                                date: date, amount: .zero, chgMgmtRef1: nil).insert(db)
            }
        }
        #expect(long?.message.hasSuffix("is 31 characters; Sage allows at most 30") == true, "\(long?.message ?? "")")
    }
}
