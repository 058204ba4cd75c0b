import Foundation
import SageModel
import GRDB
import TielineCore

/// Writes a realistic, deterministic Sage company: the same spec and seed give the same content.
///
/// Reference data (customers, vendors, jobs with extras, cost codes and categories, CN contracts
/// and items, change orders, quick-bill jobs, AP invoices, PJ records) is written first; then the
/// JC transactions stream in batches, one database transaction per batch, so memory stays flat
/// whatever the size.
public enum SampleCompanyGenerator {
    static let firstDay = try! CalendarDate(year: 2019, month: 1, day: 1).daysSinceEpoch
    static let lastDay = try! CalendarDate(year: 2025, month: 12, day: 31).daysSinceEpoch

    /// Creates the company file at `path`; `progress` receives the number of transactions written so far.
    public static func create(at path: String, spec: SampleCompanySpec,
                              progress: (@Sendable (Int) -> Void)? = nil) throws(TielineError) -> SageCompany {
        guard spec.jobs >= 1, spec.jobs <= 1_000_000 else {
            throw TielineError(.invalidInput, "--jobs must be between 1 and 1000000 (got \(spec.jobs))")
        }
        guard spec.transactions >= 0, spec.transactions <= 100_000_000 else {
            throw TielineError(.invalidInput, "--transactions must be between 0 and 100000000 (got \(spec.transactions))")
        }
        let modules = spec.withPJ ? SageModule.standard.union([.pj]) : SageModule.standard
        let company = try SageCompany.create(at: path, name: spec.name, modules: modules)
        do {
            var random = SeededRandom(seed: spec.seed)
            var jobs: [SampleJob] = []
            var pendingHistory: [JCTransaction] = []
            try company.write { db in
                try writeReference(db, spec: spec, random: &random, jobs: &jobs, history: &pendingHistory)
            }
            try SampleTransactions.write(company: company, spec: spec, jobs: jobs, history: pendingHistory,
                                         random: &random, progress: progress)
            try seedRowIDs(company, seed: spec.seed)
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        return company
    }

    /// Replaces the random Row_IDs new rows get with ones made from the seed, table and row, so the same
    /// seed writes the same company to the GUID. A chunk per transaction keeps the write-ahead log small.
    static func seedRowIDs(_ company: SageCompany, seed: UInt64) throws(TielineError) {
        for (index, table) in SageSchema.tables.enumerated() {
            let last = try company.read { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(rowid), 0) FROM \(table.name)") } ?? 0
            var from: Int64 = 0
            while from < last {
                let to = from + 200_000
                try company.write { db in
                    try db.execute(sql: """
                        UPDATE \(table.name) SET Row_ID = printf('%08x-%04x-4000-8000-%012x', ?, ?, rowid) WHERE rowid > ? AND rowid <= ?
                        """, arguments: [Int64(truncatingIfNeeded: seed & 0xFFFF_FFFF), index, from, to])
                }
                from = to
            }
        }
    }

    static func writeReference(_ db: Database, spec: SampleCompanySpec, random: inout SeededRandom,
                               jobs: inout [SampleJob], history: inout [JCTransaction]) throws {
        // Customer types, customers, vendors, standard codes.
        let types = try SampleInserter(db, SageSchema.customerType, ["Customer_Type", "Description"])
        for type in SampleNames.customerTypes { try types.insert([type, "\(type) owners"]) }

        let customerCount = max(3, spec.jobs / 4 + 2)
        let customers = try SampleInserter(db, SageSchema.customer, ["Customer", "Name", "Customer_Type", "Address_1", "City", "State", "ZIP_Code"])
        for index in 1...customerCount {
            let (city, state, zip) = random.pick(SampleNames.cities)
            let name = index == 1 ? "Riverside Health" : "\(random.pick(SampleNames.companyWords)) \(random.pick(SampleNames.customerSuffixes))"
            try customers.insert([customerID(index), name, index == 1 ? "Healthcare" : random.pick(SampleNames.customerTypes),
                                  "\(random.int(100...9999)) \(random.pick(SampleNames.streets))", city, state, zip])
        }

        let vendorCount = 20 + spec.jobs
        let vendors = try SampleInserter(db, SageSchema.vendor, ["Vendor", "Name", "City", "State"])
        for index in 1...vendorCount {
            let (city, state, _) = random.pick(SampleNames.cities)
            try vendors.insert([vendorID(index), "\(random.pick(SampleNames.companyWords)) \(random.pick(SampleNames.vendorSuffixes))", city, state])
        }

        let standardCodes = try SampleInserter(db, SageSchema.standardCostCode, ["Cost_Code", "Description"])
        for (code, description) in SampleNames.costCodes { try standardCodes.insert([code, description]) }
        let standardCategories = try SampleInserter(db, SageSchema.standardCategory, ["Category", "Description"])
        for (code, description) in SampleNames.categories { try standardCategories.insert([code, description]) }

        var writer = try ReferenceWriter(db)
        for index in 0..<spec.jobs {
            jobs.append(try writer.writeJob(index: index, spec: spec, customerCount: customerCount, random: &random, history: &history))
        }
        try writer.writeInvoices(jobs: jobs, vendorCount: vendorCount, count: spec.jobs * 8, random: &random)
        if spec.withPJ {
            try writer.writeProjectManagement(jobs: jobs, random: &random)
        }
    }

    static func customerID(_ index: Int) -> String { "C" + pad(index, 4) }
    static func vendorID(_ index: Int) -> String { "V" + pad(index, 4) }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// A whole-dollar amount between `low` and `high` dollars, in cents, rounded to `step` dollars.
    static func dollars(_ random: inout SeededRandom, _ low: Int, _ high: Int, step: Int = 1) -> Money {
        Money(cents: Int64(random.int(low / step...high / step) * step) * 100)
    }

    /// Any amount with cents between `low` and `high` dollars.
    static func amount(_ random: inout SeededRandom, _ low: Int, _ high: Int) -> Money {
        Money(cents: Int64(random.int(low * 100...high * 100)))
    }
}
