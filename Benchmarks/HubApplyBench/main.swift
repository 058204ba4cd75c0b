// Release-mode throughput of SQLiteHubStorage.applyBatch on 31-column JC-transaction rows.
// Run with scripts/bench-hub-apply (builds only GRDB and the storage sources, in release).
import Foundation
let columns = ["Run", "Sequence", "Job", "Extra", "Cost_Code", "Category", "Transaction_Type", "Accounting_Date",
    "Transaction_Date", "Description", "Amount", "Units", "Vendor", "Invoice", "Commitment", "Commitment_CO",
    "Employee", "Equipment", "Equipment_Type", "Credit_Account", "Debit_Account", "Pay_ID", "Ref_1", "Ref_2",
    "Customer", "Contract", "Item", "Change_Order", "Draw", "Chg_Mgmt_Ref_1", "Chg_Mgmt_Ref_2"]
func row(_ i: Int) -> [SyncValue] {
    [.integer(Int64(1000 + i / 500)), .integer(Int64(i)), .text("24-\(100 + i % 40)"), .text(""), .text("01-\(100 + i % 90)"), .text("L"),
     .text("AP cost"), .text("2025-03-\(10 + i % 18)"), .text("2025-03-10"), .text("Concrete pour level \(i % 12) east"),
     .integer(Int64(i) * 1000 - 500), .text("1.5"), .text("V\(1000 + i % 300)"), .text("INV-\(50_000 + i)"), .null, .null, .null, .null, .null,
     .text("1-2000-00"), .text("1-5000-00"), .null, .text("R\(i % 100)"), .null, .text("C\(i % 50)"), .text("24-118"), .text("100"), .null,
     .text("Draw 1"), .null, .null]
}
let dir = FileManager.default.temporaryDirectory.appendingPathComponent("applybench-\(UUID().uuidString)")
let storage = try SQLiteHubStorage(path: dir.appendingPathComponent("hub.sqlite").path)
_ = try await storage.addSite("Acme")
let site = try await storage.sites()[0]
_ = try await storage.beginRun(SyncRunStart(runID: "m", connection: "Main", type: .deep, timeframe: .beginningOfTime, startDate: nil, entities: []), site: site)
let batchRows = 5000, batchCount = 100
let batches = (0..<batchCount).map { b in
    SyncBatch(runID: "m", entity: "Transaction (JC)", sequence: b, columns: columns, key: ["Run", "Sequence"], dateColumn: "Accounting_Date",
              upserts: (0..<batchRows).map { row(b * batchRows + $0) }, deletes: [], throughVersion: Int64(b))
}
func cpu() -> Double { var t = timespec(); clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9 }
let clock = ContinuousClock()
let c0 = cpu()
let wall = try await clock.measure { for b in batches { _ = try await storage.applyBatch(b, site: site) } }
let c1 = cpu()
let w = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
let n = Double(batchRows * batchCount)
print("insert: \(Int(n)) rows: \(Int(n / w)) rows/s wall, \(Int(n / (c1 - c0))) rows/s per CPU-second")
// Second pass: every row already exists (the Deep re-sync case).
let batches2 = batches.map { var b = $0; b.sequence += batchCount; return b }
let c2 = cpu()
let wall2 = try await clock.measure { for b in batches2 { _ = try await storage.applyBatch(b, site: site) } }
let c3 = cpu()
let w2 = Double(wall2.components.seconds) + Double(wall2.components.attoseconds) / 1e18
print("update: \(Int(n)) rows: \(Int(n / w2)) rows/s wall, \(Int(n / (c3 - c2))) rows/s per CPU-second")
try? FileManager.default.removeItem(at: dir)
