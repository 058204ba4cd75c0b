import GRDB
import SageModel
import TielineCore

/// Writes one job at a time with everything hanging off it, then invoices and PJ records.
struct ReferenceWriter {
    let db: Database
    let jobs, extras, costCodes, categories, contracts, items, changeOrders, changeOrderItems: SampleInserter

    init(_ db: Database) throws {
        self.db = db
        jobs = try SampleInserter(db, SageSchema.job, ["Job", "Description", "Status", "Customer", "Billing_Method", "Billing_Level",
                                                        "Original_Contract_Amount", "Revised_Contract_Amount", "JTD_Aprvd_Contract_Chgs", "Estimated_Start_Date", "Address_1", "City", "State", "ZIP_Code"])
        extras = try SampleInserter(db, SageSchema.extra, ["Job", "Extra", "Description"])
        costCodes = try SampleInserter(db, SageSchema.costCode, ["Job", "Extra", "Cost_Code", "Description", "Original_Scheduled_Value", "Revised_Scheduled_Value"])
        categories = try SampleInserter(db, SageSchema.category, ["Job", "Extra", "Cost_Code", "Category", "Description", "Original_Estimate"])
        contracts = try SampleInserter(db, SageSchema.contract, ["Contract", "Job", "Customer", "Description", "Status", "Contract_Date", "Original_Amount", "Revised_Amount"])
        items = try SampleInserter(db, SageSchema.contractItem, ["Contract", "Item", "Description", "Job", "Extra", "Cost_Code", "Category",
                                                                  "Original_Scheduled_Value", "Revised_Scheduled_Value"])
        changeOrders = try SampleInserter(db, SageSchema.changeOrder, ["Contract", "Change_Order", "Description", "Status", "Change_Order_Date", "Amount"])
        changeOrderItems = try SampleInserter(db, SageSchema.changeOrderItem, ["Contract", "Change_Order", "Item", "Description", "Amount"])
    }

    typealias Ref = SampleJob.CategoryRef

    mutating func writeJob(index: Int, spec: SampleCompanySpec, customerCount: Int, random: inout SeededRandom,
                           history: inout [JCTransaction]) throws -> SampleJob {
        let riverside = index == 0
        let startDay = riverside ? try CalendarDate(year: 2024, month: 3, day: 2).daysSinceEpoch
            : random.int(SampleCompanyGenerator.firstDay...(SampleCompanyGenerator.lastDay - 180))
        let start = CalendarDate(daysSinceEpoch: startDay)
        let id = riverside ? RiversideClinic.job : "\(SampleCompanyGenerator.pad(start.year % 100, 2))-\(200 + index)"
        let customer = riverside ? RiversideClinic.customer : SampleCompanyGenerator.customerID(random.int(1...customerCount))
        var job = SampleJob(job: id, startDay: startDay, customer: customer)

        // Cost codes and categories; a few jobs split their work into extras (phases).
        let extraIDs = !riverside && random.chance(0.1) ? ["1", "2"] : [""]
        for extra in extraIDs where !extra.isEmpty { try extras.insert([id, extra, "Phase \(extra)"]) }
        let codes: [(String, [String])] = riverside ? RiversideClinic.costCodes : {
            let chosen = SampleNames.costCodes.shuffled(using: &random).prefix(random.int(6...12)).sorted { $0.0 < $1.0 }
            return chosen.map { code in
                (code.0, SampleNames.categories.map(\.0).shuffled(using: &random).prefix(random.int(2...4)).sorted())
            }
        }()
        let quickBill = !riverside && random.chance(0.2)
        let billingLevel = quickBill ? (random.chance(0.5) ? "Job" : "Cost code") : nil
        var quickBillTotal = Money.zero
        for extra in extraIDs {
            for (code, categoryCodes) in codes {
                let description = SampleNames.costCodes.first { $0.0 == code }!.1
                let scheduled = billingLevel == "Cost code" ? SampleCompanyGenerator.dollars(&random, 20_000, 900_000, step: 100) : Money.zero
                quickBillTotal += scheduled
                try costCodes.insert([id, extra, code, description, scheduled, scheduled])
                for category in categoryCodes {
                    let estimate = SampleCompanyGenerator.dollars(&random, 5_000, 400_000, step: 50)
                    try categories.insert([id, extra, code, category, SampleNames.categories.first { $0.0 == category }!.1, estimate])
                    job.categories.append(Ref(extra: extra, costCode: code, category: category))
                }
            }
        }

        // CN contract with items tied to cost codes; or quick-bill amounts.
        var original = Money.zero
        var revised = Money.zero
        if quickBill {
            original = billingLevel == "Cost code" ? quickBillTotal : SampleCompanyGenerator.dollars(&random, 100_000, 5_000_000, step: 1_000)
            revised = original
        } else {
            let approved = riverside || random.chance(0.9)
            let itemSpecs: [(item: String, description: String, ref: Ref, value: Money)] = riverside
                ? RiversideClinic.items.map { ($0.item, $0.description, Ref(extra: "", costCode: $0.costCode, category: $0.category), Money(cents: $0.cents)) }
                : job.categories.shuffled(using: &random).prefix(random.int(2...6)).enumerated().map { offset, ref in
                    let name = SampleNames.costCodes.first { $0.0 == ref.costCode }!.1
                    return (String((offset + 1) * 100), String(name.prefix(30)), ref, SampleCompanyGenerator.dollars(&random, 50_000, 2_000_000, step: 100))
                }
            var itemRevised: [String: Money] = [:]
            for spec in itemSpecs {
                original += spec.value
                itemRevised[spec.item] = spec.value
                job.contractItems.append((spec.item, spec.ref))
            }
            // Existing change orders: approved ones raise revised amounts and left history in JC.
            let changeOrderCount = !approved ? 0 : riverside ? 1 : random.int(0...3)
            var pendingRows: [(String, String, String, String, CalendarDate, Money, [(String, Money)])] = []
            for number in 0..<changeOrderCount {
                let co = SampleCompanyGenerator.pad(number + 1, 3)
                let date = CalendarDate(daysSinceEpoch: min(SampleCompanyGenerator.lastDay, startDay + 60 + number * 45 + random.int(0...30)))
                let status = riverside || random.chance(0.8) ? "Approved" : "Pending"
                let lines: [(String, Money)] = riverside ? [("100", Money(cents: RiversideClinic.changeOrderCents))]
                    : itemSpecs.shuffled(using: &random).prefix(random.int(1...2)).map { spec in
                        let value = SampleCompanyGenerator.dollars(&random, 1_000, 80_000, step: 50)
                        return (spec.item, random.chance(0.1) ? -value : value)
                    }
                let title = riverside ? "Owner allowance" : "Change order \(co)"
                pendingRows.append((id, co, title, status, date, lines.map(\.1).sum(), lines))
            }
            try contracts.insert([id, id, customer, String("\(riverside ? RiversideClinic.description : "Prime contract") \(id)".prefix(30)),
                                  approved ? "Approved" : "Pending", start, original, original])
            for row in pendingRows {
                try changeOrders.insert([row.0, row.1, row.2, row.3, row.4, row.5])
                for (item, value) in row.6 {
                    try changeOrderItems.insert([row.0, row.1, item, row.2, value])
                    let ref = itemSpecs.first { $0.item == item }!.ref
                    var entry = JCTransaction(job: id, extra: ref.extra, costCode: ref.costCode, category: nil,
                        transactionType: row.3 == "Approved" ? TransactionType.approvedScheduledValueChange : TransactionType.pendingScheduledValueChange,
                        accountingDate: row.4, description: row.2, amount: value)
                    entry.contract = id
                    entry.item = item
                    entry.changeOrder = row.1
                    entry.customer = customer
                    history.append(entry)
                    if row.3 == "Approved" { itemRevised[item, default: .zero] += value }
                }
            }
            for spec in itemSpecs {
                try items.insert([id, spec.item, spec.description, id, spec.ref.extra, spec.ref.costCode, spec.ref.category,
                                  spec.value, itemRevised[spec.item]!])
            }
            revised = itemRevised.values.sum()
            try db.execute(sql: "UPDATE CNC_ACTIVE__CONTRACT SET Revised_Amount = ? WHERE Contract = ?", arguments: [revised, id])
        }

        let (city, state, zip) = riverside ? ("Portland", "OR", "97201") : random.pick(SampleNames.cities)
        let status = startDay > SampleCompanyGenerator.lastDay - 200 ? "Unstarted"
            : (startDay < SampleCompanyGenerator.firstDay + 900 && random.chance(0.5)) ? "Closed" : "In progress"
        let description = riverside ? RiversideClinic.description
            : String("\(random.pick(SampleNames.companyWords)) \(random.pick(SampleNames.projectKinds))".prefix(30))
        // JTD approved contract changes: what the approved change orders added (revised − original; 0 for quick bill).
        try jobs.insert([id, description, riverside ? "In progress" : status, customer, quickBill ? "Quick bill" : "Contract", billingLevel,
                         original, revised, revised - original, start, "\(random.int(100...9999)) \(random.pick(SampleNames.streets))", city, state, zip])
        return job
    }

    func writeInvoices(jobs: [SampleJob], vendorCount: Int, count: Int, random: inout SeededRandom) throws {
        let invoices = try SampleInserter(db, SageSchema.invoice, ["Vendor", "Invoice", "Description", "Invoice_Date", "Accounting_Date", "Amount", "Status", "Job"])
        let distributions = try SampleInserter(db, SageSchema.distribution, ["Vendor", "Invoice", "Dist_Seq", "Job", "Extra", "Cost_Code", "Category", "Expense_Account", "Amount"])
        for index in 1...max(count, 1) {
            let job = random.pick(jobs)
            let vendor = SampleCompanyGenerator.vendorID(random.int(1...vendorCount))
            let invoice = "INV-" + SampleCompanyGenerator.pad(index, 6)
            let day = random.int(job.startDay...SampleCompanyGenerator.lastDay)
            let lines = (0..<random.int(1...3)).map { _ in (random.pick(job.categories), SampleCompanyGenerator.amount(&random, 100, 40_000)) }
            try invoices.insert([vendor, invoice, "Materials and services", CalendarDate(daysSinceEpoch: day),
                                 CalendarDate(daysSinceEpoch: min(day + random.int(0...20), SampleCompanyGenerator.lastDay)),
                                 lines.map(\.1).sum(), random.chance(0.7) ? "Paid" : "Open", job.job])
            for (seq, line) in lines.enumerated() {
                try distributions.insert([vendor, invoice, seq + 1, job.job, line.0.extra, line.0.costCode, line.0.category, "5000-\(line.0.category)", line.1])
            }
        }
    }

    func writeProjectManagement(jobs: [SampleJob], random: inout SeededRandom) throws {
        let requests = try SampleInserter(db, SageSchema.changeRequest, ["Job", "Change_Request", "Description", "Status", "Request_Date", "Amount"])
        let orders = try SampleInserter(db, SageSchema.pjChangeOrder, ["Job", "Change_Order", "Description", "Status", "Change_Order_Date", "Amount"])
        for job in jobs where job.hasContract {
            for number in 0..<random.int(0...3) {
                let day = min(job.startDay + 30 + random.int(0...400), SampleCompanyGenerator.lastDay)
                try requests.insert([job.job, "CR-" + SampleCompanyGenerator.pad(number + 1, 3), "Field change request",
                                     random.pick(["Open", "Approved", "Void"]), CalendarDate(daysSinceEpoch: day),
                                     SampleCompanyGenerator.dollars(&random, 500, 60_000, step: 10)])
            }
            for number in 0..<random.int(0...2) {
                let day = min(job.startDay + 60 + random.int(0...400), SampleCompanyGenerator.lastDay)
                try orders.insert([job.job, SampleCompanyGenerator.pad(number + 1, 3), "Owner change",
                                   random.pick(["Pending", "Approved"]), CalendarDate(daysSinceEpoch: day),
                                   SampleCompanyGenerator.dollars(&random, 1_000, 90_000, step: 10)])
            }
        }
    }
}
