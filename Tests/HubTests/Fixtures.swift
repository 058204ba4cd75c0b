import SyncCore

/// Rows and batches shaped like Sage data, shared by the codec and hub tests.
enum Fixtures {
    static let transactionColumns = [
        "Run", "Sequence", "Job", "Extra", "Cost_Code", "Category", "Transaction_Type", "Accounting_Date",
        "Transaction_Date", "Description", "Amount", "Units", "Vendor", "Invoice", "Commitment", "Commitment_CO",
        "Employee", "Equipment", "Equipment_Type", "Credit_Account", "Debit_Account", "Pay_ID", "Ref_1", "Ref_2",
        "Customer", "Contract", "Item", "Change_Order", "Draw", "Chg_Mgmt_Ref_1", "Chg_Mgmt_Ref_2",
    ]

    /// A 31-column JC transaction; `date` is its Accounting_Date.
    static func transactionRow(_ i: Int, date: String = "2025-03-14") -> [SyncValue] {
        [
            .integer(1000), .integer(Int64(i)), .text("24-118"), .text(""), .text("01-100"), .text("L"), .text("AP cost"),
            .text(date), .text("2025-03-10"), .text("Concrete pour \(i)"), .integer(Int64(i) * 1000 - 500), .text("1.5"),
            .text("V100"), .text("INV-\(i)"), .null, .null, .null, .null, .null, .text("1-2000"), .text("1-5000"),
            .null, .null, .null, .text("C1"), .text("24-118"), .text("100"), .null, .text("Draw 1"), .null, .null,
        ]
    }

    static func batch(run: String = "run-1", rows: Int, from first: Int = 0, sequence: Int = 0,
                      date: String = "2025-03-14", deletes: [[SyncValue]] = []) -> SyncBatch {
        SyncBatch(runID: run, entity: "Transaction (JC)", sequence: sequence, columns: transactionColumns,
                  key: ["Run", "Sequence"], dateColumn: "Accounting_Date",
                  upserts: (first..<first + rows).map { transactionRow($0, date: date) }, deletes: deletes,
                  throughVersion: Int64(first + rows))
    }

    /// A Customer batch: a reference entity without a date column.
    static func customers(run: String, _ names: [String], sequence: Int = 0) -> SyncBatch {
        SyncBatch(runID: run, entity: "Customer", sequence: sequence, columns: ["Customer", "Name"], key: ["Customer"],
                  dateColumn: nil, upserts: names.map { [.text($0), .text("Name of \($0)")] }, deletes: [], throughVersion: 1)
    }
}
