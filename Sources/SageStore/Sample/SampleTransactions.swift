import GRDB
import SageModel
import TielineCore

/// Streams the JC transaction history: types, coding and optional fields as real data has them.
enum SampleTransactions {
    static let columns = ["Run", "Sequence", "Job", "Extra", "Cost_Code", "Category", "Transaction_Type", "Accounting_Date",
                          "Transaction_Date", "Description", "Amount", "Units", "Vendor", "Invoice", "Commitment", "Commitment_CO",
                          "Employee", "Equipment", "Equipment_Type", "Credit_Account", "Debit_Account", "Pay_ID", "Ref_1", "Ref_2",
                          "Customer", "Contract", "Item", "Change_Order", "Draw", "Row_Version"]
    static let runLength = 500

    /// Relative frequency of each transaction type in the generated history.
    static let mix: [(String, Int)] = [
        (TransactionType.apCost, 30), (TransactionType.prCost, 25), (TransactionType.jcCost, 8), (TransactionType.eqCost, 8),
        (TransactionType.ivCost, 4), (TransactionType.smCost, 3), (TransactionType.approvedEstimateChange, 4),
        (TransactionType.pendingEstimateChange, 2), (TransactionType.commitment, 6), (TransactionType.commitmentChange, 3),
        (TransactionType.workBilled, 4),
    ]

    static func write(company: SageCompany, spec: SampleCompanySpec, jobs: [SampleJob], history: [JCTransaction],
                      random: inout SeededRandom, progress: (@Sendable (Int) -> Void)?) throws(TielineError) {
        let weights = mix.map(\.1)
        // Per-category running totals, applied at the end so categories agree with their history.
        var jtdCost: [String: Int64] = [:]
        var approvedEstimates: [String: Int64] = [:]
        var written = 0
        let total = spec.transactions
        let batchSize = max(1, spec.batchSize)
        while written < total {
            let end = min(total, written + batchSize)
            try company.write { db in
                let insert = try SampleInserter(db, SageSchema.transaction, columns)
                let firstVersion = try SageCompany.reserveRowVersions(db, count: end - written)
                for index in written..<end {
                    let version = firstVersion + Int64(index - written)
                    let run = Int64(index / runLength + 1), sequence = Int64(index % runLength + 1)
                    let values: [(any DatabaseValueConvertible)?]
                    if index < history.count {
                        values = row(run, sequence, history[index]) + [version]
                    } else {
                        let job = jobs[random.int(0...(jobs.count - 1))]
                        let type = mix[random.weighted(weights)].0
                        let entry = makeTransaction(job: job, type: type, random: &random)
                        let key = "\(entry.job)|\(entry.extra)|\(entry.costCode ?? "")|\(entry.category ?? "")"
                        if TransactionType.costTypes.contains(type) { jtdCost[key, default: 0] += entry.amount.cents }
                        if type == TransactionType.approvedEstimateChange { approvedEstimates[key, default: 0] += entry.amount.cents }
                        values = row(run, sequence, entry) + [version]
                    }
                    try insert.insert(values)
                }
            }
            written = end
            progress?(written)
        }
        try company.write { db in
            let update = try db.makeStatement(sql: """
                UPDATE JCM_MASTER__CATEGORY SET JTD_Cost = JTD_Cost + ?, Approved_Estimate_Changes = Approved_Estimate_Changes + ?
                WHERE Job = ? AND Extra = ? AND Cost_Code = ? AND Category = ?
                """)
            for key in Set(jtdCost.keys).union(approvedEstimates.keys).sorted() {
                let parts = key.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                try update.execute(arguments: [jtdCost[key] ?? 0, approvedEstimates[key] ?? 0, parts[0], parts[1], parts[2], parts[3]])
            }
        }
    }

    static func row(_ run: Int64, _ sequence: Int64, _ t: JCTransaction) -> [(any DatabaseValueConvertible)?] {
        [run, sequence, t.job, t.extra, t.costCode, t.category, t.transactionType, t.accountingDate, t.transactionDate,
         t.description, t.amount, t.units, t.vendor, t.invoice, t.commitment, t.commitmentCO, t.employee, t.equipment,
         t.equipmentType, t.creditAccount, t.debitAccount, t.payID, t.ref1, t.ref2, t.customer, t.contract, t.item,
         t.changeOrder, t.draw]
    }

    static func makeTransaction(job: SampleJob, type: String, random: inout SeededRandom) -> JCTransaction {
        let ref = random.pick(job.categories)
        let day = random.int(job.startDay...SampleCompanyGenerator.lastDay)
        let date = CalendarDate(daysSinceEpoch: day)
        var amount = SampleCompanyGenerator.amount(&random, 10, 25_000)
        if random.chance(0.03) { amount = -amount }  // reversing entries
        var t = JCTransaction(job: job.job, extra: ref.extra, costCode: ref.costCode, category: ref.category,
                              transactionType: type, accountingDate: date,
                              transactionDate: CalendarDate(daysSinceEpoch: max(job.startDay, day - random.int(0...10))),
                              description: nil, amount: amount)
        switch type {
        case TransactionType.apCost, TransactionType.commitment, TransactionType.commitmentChange:
            t.vendor = SampleCompanyGenerator.vendorID(random.int(1...20))
            t.description = "Vendor invoice"
            if type == TransactionType.apCost { t.invoice = "INV-" + SampleCompanyGenerator.pad(random.int(1...999_999), 6) }
            if type != TransactionType.apCost || random.chance(0.5) {
                t.commitment = String("\(job.job)-\(SampleCompanyGenerator.pad(random.int(1...40), 2))".prefix(12))
                t.description = type == TransactionType.apCost ? "Subcontract invoice" : "Subcontract"
            }
            if type == TransactionType.commitmentChange || (t.commitment != nil && random.chance(0.2)) {
                t.commitmentCO = "CO-" + String(random.int(1...20))
            }
        case TransactionType.prCost:
            t.employee = "E" + SampleCompanyGenerator.pad(random.int(1...400), 4)
            t.payID = random.pick(["REG", "OT", "DT"])
            t.units = "\(random.int(1...12)).00"
            t.description = "\(random.pick(SampleNames.firstNames)) payroll"
            t.debitAccount = "5100-\(ref.category)"
            t.creditAccount = "2300-00"
        case TransactionType.eqCost:
            let index = random.int(0...(SampleNames.equipment.count - 1))
            t.equipment = SampleNames.equipment[index]
            t.equipmentType = SampleNames.equipmentTypes[index]
            t.units = "\(random.int(1...10)).50"
            t.description = "Equipment usage"
        case TransactionType.jcCost, TransactionType.ivCost, TransactionType.smCost:
            t.debitAccount = "5000-\(ref.category)"
            t.creditAccount = type == TransactionType.ivCost ? "1400-00" : "2100-00"
            t.description = type == TransactionType.ivCost ? "Inventory issue" : "Job cost entry"
        case TransactionType.workBilled:
            t.customer = job.customer
            if let item = job.contractItems.first {
                t.contract = job.job
                t.item = item.item
            }
            t.draw = "Draw " + String(random.int(1...36))
            t.amount = Money(cents: abs(amount.cents))
            t.description = "Progress billing"
        default:
            t.description = type == TransactionType.approvedEstimateChange ? "Approved estimate change" : "Pending estimate change"
        }
        if random.chance(0.2) { t.ref1 = "R" + SampleCompanyGenerator.pad(random.int(1...99_999), 5) }
        if random.chance(0.1) { t.ref2 = "W" + SampleCompanyGenerator.pad(random.int(1...9_999), 4) }
        return t
    }
}
