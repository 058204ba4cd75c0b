// Release-mode throughput of SyncWire on 31-column JC-transaction-like rows, one core.
// Run with scripts/bench-wire (compiles the codec sources with swiftc -O; no package build).
import Foundation

let columns = ["Run", "Sequence", "Job", "Extra", "Cost_Code", "Category", "Transaction_Type", "Accounting_Date",
               "Transaction_Date", "Description", "Amount", "Units", "Vendor", "Invoice", "Commitment", "Commitment_CO",
               "Employee", "Equipment", "Equipment_Type", "Credit_Account", "Debit_Account", "Pay_ID", "Ref_1", "Ref_2",
               "Customer", "Contract", "Item", "Change_Order", "Draw", "Chg_Mgmt_Ref_1", "Chg_Mgmt_Ref_2"]

func row(_ i: Int) -> [SyncValue] {
    let day = 1 + i % 28
    return [
        .integer(Int64(1000 + i / 500)), .integer(Int64(i)), .text("24-\(100 + i % 40)"), .text(""),
        .text("0\(1000 + i % 90)-00"), .text(["L", "M", "S", "E"][i % 4]), .text(["AP cost", "JC cost", "PR cost"][i % 3]),
        .text("2025-0\(1 + i % 9)-\(day < 10 ? "0" : "")\(day)"), .text("2025-03-14"),
        .text("Concrete pour level \(i % 12) east"), .integer(Int64(i % 7 == 0 ? -125_00 : 1_234_567 + i)), .text("12.5"),
        .text("V\(1000 + i % 300)"), .text("INV-\(50_000 + i)"), .null, .null, .null, .null, .null,
        .text("1-2000-00"), .text("1-5000-00"), .null, .text("R\(i % 100)"), .null,
        .text("C\(i % 50)"), .text("24-\(100 + i % 40)"), .text("\(100 + i % 30)"), .null, .text("Draw \(i % 12)"),
        .null, .null,
    ]
}

let rowsPerBatch = 5_000
let batchCount = 200
let batches = (0..<batchCount).map { b in
    SyncBatch(runID: "run-bench", entity: "Transaction (JC)", sequence: b, columns: columns, key: ["Run", "Sequence"],
              dateColumn: "Accounting_Date", upserts: (0..<rowsPerBatch).map { row(b * rowsPerBatch + $0) }, deletes: [],
              throughVersion: Int64(b))
}
let totalRows = Double(rowsPerBatch * batchCount)

// CPU time of this thread, not wall time: the machine is shared, and one core's work is what we budget.
func cpuNow() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = cpuNow()
    try body()
    return cpuNow() - start
}

var encoded: [[UInt8]] = []
// Warm-up pass, then the measured pass.
_ = batches.prefix(5).map(SyncWire.encode)
let encodeTime = seconds { encoded = batches.map(SyncWire.encode) }
let bytes = encoded.reduce(0) { $0 + $1.count }
var decodedRows = 0
let decodeTime = try seconds {
    for e in encoded { decodedRows += try SyncWire.decode(e).upserts.count }
}
precondition(decodedRows == Int(totalRows))
let sample = try SyncWire.decode(encoded[7])
precondition(sample == batches[7])
print("SyncWire, \(Int(totalRows)) rows x \(columns.count) columns in \(batchCount) batches of \(rowsPerBatch)")
print(String(format: "  encode: %.0f rows/s (%.3f s CPU)", totalRows / encodeTime, encodeTime))
print(String(format: "  decode: %.0f rows/s (%.3f s CPU)", totalRows / decodeTime, decodeTime))
print(String(format: "  size:   %.1f bytes/row (%.1f MB total)", Double(bytes) / totalRows, Double(bytes) / 1e6))
