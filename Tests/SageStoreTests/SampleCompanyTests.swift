import Testing
import Foundation
import GRDB
@testable import SageStore
import SageModel
import TielineCore

@Suite("Sample company generator")
struct SampleCompanyTests {
    /// A digest of every Sage table's content, ordered by key.
    func fingerprint(_ company: SageCompany) throws -> [String] {
        try company.read { db throws in
            try SageSchema.tables.map { table in
                let order = table.key.map { "\"\($0)\"" }.joined(separator: ", ")
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(table.name) ORDER BY \(order)")
                return "\(table.name):\(rows.count):\(rows.map(\.description).joined().hashValue)"
            }
        }
    }

    @Test func sameSeedSameCompanyAndAnotherSeedDiffers() throws {
        let spec = SampleCompanySpec(jobs: 6, transactions: 3_000, seed: 7, withPJ: true, batchSize: 700)
        let a = try SampleCompanyGenerator.create(at: temporaryPath("a.sqlite"), spec: spec)
        let b = try SampleCompanyGenerator.create(at: temporaryPath("b.sqlite"), spec: spec)
        #expect(try fingerprint(a) == fingerprint(b))
        var other = spec
        other.seed = 8
        let c = try SampleCompanyGenerator.create(at: temporaryPath("c.sqlite"), spec: other)
        #expect(try fingerprint(a) != fingerprint(c))
    }

    @Test func writesARealisticCompany() throws {
        let company = try SampleCompanyGenerator.create(at: temporaryPath("s.sqlite"),
            spec: SampleCompanySpec(jobs: 30, transactions: 8_000, seed: 3, withPJ: true, batchSize: 3_000))
        let summary = try company.summary()
        let rows = Dictionary(uniqueKeysWithValues: summary.tables.map { ($0.table, $0.rows) })
        #expect(rows["JCT_CURRENT__TRANSACTION"] == 8_000)
        #expect(rows["JCM_MASTER__JOB"] == 30)
        for table in ["ARM_MASTER__CUSTOMER", "ARM_MASTER__CUSTOMER_TYPE", "APM_MASTER__VENDOR", "JCM_MASTER__COST_CODE",
                      "JCM_MASTER__CATEGORY", "CNC_ACTIVE__CONTRACT", "CNC_ACTIVE__CONTRACT_ITEM", "CNC_ACTIVE__CHANGE_ORDER",
                      "APM_MASTER__INVOICE", "APM_MASTER__DISTRIBUTION", "PJM_MASTER__CHANGE_REQUEST", "JCM_MASTER__STANDARD_COST_CODE"] {
            #expect((rows[table] ?? 0) > 0, "\(table) has rows")
        }
        #expect(summary.transactionsByYear.count >= 4, "spread over several years")
        #expect(summary.modules.contains("PJ"))
        try company.read { db throws in
            // Real transaction types, and quick-bill jobs beside CN-billed ones.
            let types = Set(try String.fetchAll(db, sql: "SELECT DISTINCT Transaction_Type FROM JCT_CURRENT__TRANSACTION"))
            #expect(types.isSuperset(of: [TransactionType.apCost, TransactionType.prCost, TransactionType.approvedScheduledValueChange]))
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM JCM_MASTER__JOB WHERE Billing_Method = 'Quick bill'")! > 0)
            // Categories agree with their history.
            let mismatched = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM JCM_MASTER__CATEGORY c WHERE JTD_Cost != COALESCE((SELECT SUM(Amount) FROM JCT_CURRENT__TRANSACTION t
                WHERE t.Job = c.Job AND t.Extra = c.Extra AND t.Cost_Code = c.Cost_Code AND t.Category = c.Category
                AND t.Transaction_Type IN ('AP cost','JC cost','PR cost','EQ cost','IV cost','SM cost')), 0)
                """)
            #expect(mismatched == 0)
            // Contract revised amounts = original + approved change orders.
            let off = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM CNC_ACTIVE__CONTRACT c WHERE Revised_Amount != Original_Amount + COALESCE((SELECT SUM(Amount)
                FROM CNC_ACTIVE__CHANGE_ORDER o WHERE o.Contract = c.Contract AND o.Status = 'Approved'), 0)
                """)
            #expect(off == 0)
        }
    }

    @Test func riversideClinicMatchesProcoresSampleRequest() throws {
        let company = try SampleCompanyGenerator.create(at: temporaryPath("r.sqlite"), spec: SampleCompanySpec(jobs: 3, transactions: 100, seed: 1))
        try company.read { db throws in
            let contract = try Contract.fetchOne(db, sql: "SELECT * FROM CNC_ACTIVE__CONTRACT WHERE Contract = '24-118'")
            #expect(contract?.status == "Approved")
            #expect(contract?.originalAmount.description == "4250000.00")
            #expect(contract?.revisedAmount.description == "4262500.00")
            let items = try ContractItem.fetchAll(db, sql: "SELECT * FROM CNC_ACTIVE__CONTRACT_ITEM WHERE Contract = '24-118' ORDER BY Item")
            #expect(items.map { "\($0.item) \($0.costCode)/\($0.category ?? "")" } == ["100 02-200/S", "200 03-300/M"])
            #expect(try Bool.fetchOne(db, sql: "SELECT 1 FROM JCM_MASTER__CATEGORY WHERE Job = '24-118' AND Cost_Code = '01-900' AND Category = 'O'") == true)
        }
    }

    @Test func openRefusesWhatIsNotACompany() throws {
        #expect(throws: TielineError.self) { try SageCompany.open(at: "/nonexistent/company.sqlite") }
        let text = temporaryPath("notes.txt")
        try Data("hello, this is not a database at all, just some words".utf8).write(to: URL(fileURLWithPath: text))
        do { _ = try SageCompany.open(at: text); Issue.record("expected an error") } catch {
            #expect(error.code == .notSageCompany)
        }
        let empty = temporaryPath("empty.sqlite")
        try DatabaseQueue(path: empty).write { db in try db.execute(sql: "CREATE TABLE t(x)") }
        do { _ = try SageCompany.open(at: empty); Issue.record("expected an error") } catch {
            #expect(error.code == .notSageCompany)
            #expect(error.message.contains("JCM_MASTER__JOB"))
        }
        #expect(throws: TielineError.self) {
            try SampleCompanyGenerator.create(at: empty, spec: SampleCompanySpec(jobs: 1, transactions: 1))
        }
    }
}
