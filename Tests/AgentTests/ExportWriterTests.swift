import Testing
import Foundation
import GRDB
@testable import Agent
import SageStore
import SageModel
import SyncCore
import TielineCore

/// Procore's sample ERP request (../shared/procore) as the internal export request.
func samplePCCO() throws -> ChangeOrderExport {
    ChangeOrderExport(
        intake: .erpRequest(requestDetailID: 5120), procoreProjectID: 1204, projectName: "24-118 - Riverside Clinic",
        job: "24-118", procoreContractID: 311, contract: "24-118", pccoID: 7781, number: "007", title: "Added storm drain",
        status: "approved", transactionDate: try CalendarDate(parsing: "2024-09-20"),
        lines: [
            // Procore's amount includes the line's markups: 10,000.00 before them + 1,500.00 = 11,500.00.
            .init(procoreID: 88001, description: "Storm drain trench and pipe", amount: try Money(parsing: "11500.00"),
                  extendedAmount: try Money(parsing: "10000.00"), contractItem: "100", costCode: "02-200", category: "S",
                  markups: [.init(procoreID: 64, name: "Overhead and profit", amount: try Money(parsing: "1500.00"), costCode: "01-900", category: "O")]),
            .init(procoreID: 88002, description: "Catch basin", amount: try Money(parsing: "1000.00"),
                  contractItem: "200", costCode: "03-300", category: "M"),
        ])
}

func sampleCompany() throws -> SageCompany {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tieline-export-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return try SampleCompanyGenerator.create(at: dir.appendingPathComponent("c.sqlite").path,
                                             spec: SampleCompanySpec(jobs: 3, transactions: 50, seed: 7))
}

@Suite("PCCO export writer")
struct ExportWriterTests {
    let date = try! CalendarDate(parsing: "2024-09-20")

    @Test func writesTheSampleRequestWithMarkupOnItsDestination() throws {
        let company = try sampleCompany()
        let result = try ExportWriter(company: company).write(try samplePCCO(), transactionDate: date)
        #expect(result.alreadyWritten == false)
        #expect(result.total.description == "12500.00")
        #expect(result.items == ["100": Money(cents: 1_150_000), "200": Money(cents: 100_000)])

        try company.read { db throws in
            let co = try ChangeOrder.fetchOne(db, sql: "SELECT * FROM CNC_ACTIVE__CHANGE_ORDER WHERE Contract = '24-118' AND Change_Order = '007'")!
            #expect(co.description == "Added storm drain")
            #expect(co.status == "Approved")
            #expect(co.date == date)
            #expect(co.chgMgmtRef1 == "procore:pcco:7781")
            let batch = try UnpostedTransaction.fetchAll(db, sql: "SELECT * FROM JCT_UNPOSTED__TRANSACTION ORDER BY Entry").map(\.transaction)
            let revenue = batch.filter { $0.transactionType == TransactionType.approvedScheduledValueChange }
            #expect(revenue.map { "\($0.item!) \($0.amount)" } == ["100 11500.00", "200 1000.00"])
            #expect(revenue.allSatisfy { $0.contract == "24-118" && $0.changeOrder == "007" && $0.chgMgmtRef1 == "procore:pcco:7781" })
            let cost = batch.filter { $0.transactionType == TransactionType.approvedEstimateChange }
            #expect(cost.map { "\($0.costCode!)/\($0.category!) \($0.amount)" } == ["01-900/O 1500.00", "02-200/S 10000.00", "03-300/M 1000.00"])
        }
        // Posting rolls the change into the job, the items and the markup's destination category.
        try company.postEntries(batch: ExportWriter.batch)
        try company.read { db throws in
            #expect(try Int64.fetchOne(db, sql: "SELECT Revised_Contract_Amount FROM JCM_MASTER__JOB WHERE Job = '24-118'") == 427_500_000)
            #expect(try Int64.fetchOne(db, sql: "SELECT Revised_Scheduled_Value FROM CNC_ACTIVE__CONTRACT_ITEM WHERE Contract = '24-118' AND Item = '100'") == 122_400_000)
            #expect(try Int64.fetchOne(db, sql: "SELECT Approved_Estimate_Changes FROM JCM_MASTER__CATEGORY WHERE Job = '24-118' AND Cost_Code = '01-900' AND Category = 'O'")! >= 150_000)
        }
    }

    @Test func redeliveryWritesNothingTwice() throws {
        let company = try sampleCompany()
        let writer = ExportWriter(company: company)
        let first = try writer.write(try samplePCCO(), transactionDate: date)
        let again = try writer.write(try samplePCCO(), transactionDate: date)
        #expect(again.alreadyWritten)
        #expect(again.entries == first.entries)
        #expect(again.total == first.total)
        try company.read { db throws in
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM CNC_ACTIVE__CHANGE_ORDER WHERE Chg_Mgmt_Ref_1 = 'procore:pcco:7781'") == 1)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM JCT_UNPOSTED__TRANSACTION") == 5)
        }
    }

    @Test func sameNumberFromElsewhereIsAConflictNotAnOverwrite() throws {
        let company = try sampleCompany()
        try company.write { db throws in
            try ChangeOrder(contract: "24-118", changeOrder: "007", description: "Typed in Sage", date: date, amount: Money(cents: 1)).insert(db)
        }
        let export = try samplePCCO()
        do {
            _ = try ExportWriter(company: company).write(export, transactionDate: date)
            Issue.record("expected a conflict")
        } catch {
            #expect(error.code == .changeOrderConflict)
            #expect(error.message == "change order 007 already exists on contract 24-118, from a change order entered in Sage; it is not overwritten")
        }
        try company.read { db throws in
            #expect(try String.fetchOne(db, sql: "SELECT Description FROM CNC_ACTIVE__CHANGE_ORDER WHERE Change_Order = '007'") == "Typed in Sage")
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM JCT_UNPOSTED__TRANSACTION") == 0)
        }
    }

    @Test func duplicateLinesOnOneContractItemAreSummed() throws {
        let company = try sampleCompany()
        var export = try samplePCCO()
        export.lines[1].contractItem = "100"
        export.lines[1].costCode = "02-200"
        export.lines[1].category = "S"
        let result = try ExportWriter(company: company).write(export, transactionDate: date)
        #expect(result.items == ["100": Money(cents: 1_250_000)])
        try company.read { db throws in
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM CNC_ACTIVE__CHANGE_ORDER_ITEM WHERE Change_Order = '007'") == 1)
            #expect(try Int64.fetchOne(db, sql: "SELECT Amount FROM JCT_UNPOSTED__TRANSACTION WHERE Cost_Code = '02-200' AND Transaction_Type = 'Aprvd est chng'") == 1_100_000)
        }
    }
}

@Suite("Export validation, one rule at a time")
struct ExportValidationTests {
    func problems(_ change: (inout ChangeOrderExport) -> Void, prepare: ((Database) throws -> Void)? = nil) throws -> [String] {
        let company = try sampleCompany()
        if let prepare { try company.write { db throws in try prepare(db) } }
        var export = try samplePCCO()
        change(&export)
        return try company.read { db throws in try ExportValidator.problems(export, lookup: SageLookup(db: db)).map(\.message) }
    }

    @Test func theSampleIsValid() throws {
        #expect(try problems { _ in } == [])
    }

    @Test func projectMustMapToASageJob() throws {
        #expect(try problems { $0.job = "99-999" } == ["Procore project 24-118 - Riverside Clinic is linked to Sage job '99-999', which does not exist in Sage",
                                                        "Sage contract 24-118 belongs to job 24-118, not to 99-999"])
    }

    @Test func contractMustExistAndBeApproved() throws {
        #expect(try problems { $0.contract = "NOPE" } == ["the prime contract is linked to Sage contract 'NOPE', which does not exist in Sage"])
        #expect(try problems({ _ in }, prepare: { db in try db.execute(sql: "UPDATE CNC_ACTIVE__CONTRACT SET Status = 'Pending' WHERE Contract = '24-118'") })
                == ["Sage contract 24-118 is Pending; it must be Approved before it takes change orders"])
    }

    @Test func everyLineMustMapToAContractItem() throws {
        #expect(try problems { $0.lines[1].contractItem = "900" } == ["line 2 (id 88002, Catch basin): contract item '900' does not exist on contract 24-118"])
    }

    @Test func costCodesCategoriesAndMarkupDestinationsMustExist() throws {
        #expect(try problems { $0.lines[0].category = "X" } == ["line 1 (id 88001, Storm drain trench and pipe): cost code 02-200 with category X does not exist on job 24-118"])
        #expect(try problems { $0.lines[0].markups[0].costCode = "99-000" }
                == ["line 1 (id 88001, Storm drain trench and pipe): markup 'Overhead and profit' goes to cost code 99-000 with category O, which does not exist on job 24-118"])
    }

    @Test func numberAndTitleMustFitSage() throws {
        #expect(try problems { $0.number = "PCCO-7" } == ["PCCO number 'PCCO-7' is 6 characters; Sage's Change_Order allows at most 5"])
        let title = "Added storm drain along the north lot line"
        #expect(try problems { $0.title = title } == ["PCCO title '\(title)' is 42 characters; Sage's Description allows at most 30"])
    }

    @Test func numberMustNotBeUsedByAnotherPCCO() throws {
        let messages = try problems({ $0.number = "001" })
        #expect(messages == ["change order 001 already exists on contract 24-118, from a change order entered in Sage; it is not overwritten"])
    }

    @Test func aBatchWritesEachExportInItsOwnSavepoint() throws {
        let company = try sampleCompany()
        let date = try CalendarDate(parsing: "2024-09-20")
        let good = try samplePCCO()
        var conflicting = try samplePCCO()
        conflicting.pccoID = 9999
        conflicting.number = "001"   // already typed in Sage on contract 24-118
        var third = try samplePCCO()
        third.pccoID = 7782
        third.number = "008"
        let results = try ExportWriter(company: company).write([(good, date), (conflicting, date), (third, date)])
        #expect(results.count == 3)
        #expect((try? results[0].get())?.changeOrder == "007")
        #expect(throws: TielineError.self) { try results[1].get() }
        #expect((try? results[2].get())?.changeOrder == "008")
        try company.read { db throws in
            // The refused export left nothing behind; the others are whole.
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM JCT_UNPOSTED__TRANSACTION WHERE Chg_Mgmt_Ref_1 = 'procore:pcco:9999'") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM JCT_UNPOSTED__TRANSACTION WHERE Chg_Mgmt_Ref_1 = 'procore:pcco:7781'") == 5)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM JCT_UNPOSTED__TRANSACTION WHERE Chg_Mgmt_Ref_1 = 'procore:pcco:7782'") == 5)
        }
    }
}
