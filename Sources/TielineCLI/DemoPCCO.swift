import GRDB
import Sage300
import TielineCore

/// The demo's change order: Procore's sample ERP request (../shared/procore) in Sage's terms.
///
/// Until the export pipeline lands, the demo writes it directly with the store's records so a
/// new user sees exactly which Sage rows a PCCO export produces.
enum DemoPCCO {
    static let batch = "PCCO"
    static let date = try! CalendarDate(parsing: "2024-09-20")

    static func write(into company: SageCompany) throws(TielineError) {
        try company.write { db in
            try ChangeOrder(contract: "24-118", changeOrder: "007", description: "Added storm drain", date: date,
                            amount: Money(cents: 1_250_000), chgMgmtRef1: "procore-pcco-7781").insert(db)
            // Item 100 carries its line (10,000.00) and that line's markup (1,500.00).
            try ChangeOrderItem(contract: "24-118", changeOrder: "007", item: "100", description: "Storm drain trench and pipe",
                                amount: Money(cents: 1_150_000)).insert(db)
            try ChangeOrderItem(contract: "24-118", changeOrder: "007", item: "200", description: "Catch basin",
                                amount: Money(cents: 100_000)).insert(db)
            // The markup is revenue on its contract item and an estimate change on its destination cost code.
            let lines: [(String?, String, String, String, Int64, String)] = [
                ("100", "02-200", "S", TransactionType.approvedScheduledValueChange, 1_000_000, "Storm drain trench and pipe"),
                ("100", "01-900", "O", TransactionType.approvedScheduledValueChange, 150_000, "Overhead and profit"),
                ("200", "03-300", "M", TransactionType.approvedScheduledValueChange, 100_000, "Catch basin"),
                (nil, "02-200", "S", TransactionType.approvedEstimateChange, 1_000_000, "Storm drain trench and pipe"),
                (nil, "01-900", "O", TransactionType.approvedEstimateChange, 150_000, "Overhead and profit"),
                (nil, "03-300", "M", TransactionType.approvedEstimateChange, 100_000, "Catch basin"),
            ]
            for (index, line) in lines.enumerated() {
                var entry = JCTransaction(job: "24-118", costCode: line.1, category: line.2, transactionType: line.3,
                                          accountingDate: date, description: line.5, amount: Money(cents: line.4))
                if let item = line.0 {
                    entry.contract = "24-118"
                    entry.item = item
                    entry.changeOrder = "007"
                    entry.category = nil
                }
                entry.chgMgmtRef1 = "procore-pcco-7781"
                try UnpostedTransaction(batch: batch, entry: Int64(index + 1), transaction: entry).insert(db)
            }
        }
    }

    static func printRecords(_ company: SageCompany) throws(TielineError) {
        try company.read { db in
            for co in try ChangeOrder.filter(sql: "Contract = '24-118'").order(sql: "Change_Order").fetchAll(db) {
                print("   CNC_ACTIVE__CHANGE_ORDER  \(co.contract) / \(co.changeOrder)  \(co.description ?? "")  \(co.status)  \(co.amount)  ref \(co.chgMgmtRef1 ?? "-")")
            }
            for item in try ChangeOrderItem.filter(sql: "Contract = '24-118' AND Change_Order = '007'").fetchAll(db) {
                print("   CNC_ACTIVE__CHANGE_ORDER_ITEM  item \(item.item)  \(item.amount)  \(item.description ?? "")")
            }
            for entry in try UnpostedTransaction.filter(sql: "Batch = ?", arguments: [batch]).order(sql: "Entry").fetchAll(db) {
                let t = entry.transaction
                print("   JCT_UNPOSTED__TRANSACTION  #\(entry.entry)  \(t.transactionType)  \(t.costCode ?? "")/\(t.category ?? "-")  item \(t.item ?? "-")  \(t.amount)")
            }
        }
    }

    static func printRollups(_ company: SageCompany) throws(TielineError) {
        try company.read { db in
            let job = try Job.fetchOne(db, sql: "SELECT * FROM JCM_MASTER__JOB WHERE Job = '24-118'")!
            print("   Job 24-118 revised contract amount: \(job.revisedContractAmount) (original \(job.originalContractAmount))")
            for item in try ContractItem.fetchAll(db, sql: "SELECT * FROM CNC_ACTIVE__CONTRACT_ITEM WHERE Contract = '24-118' ORDER BY Item") {
                print("   Contract item \(item.item) revised scheduled value: \(item.revisedScheduledValue)")
            }
        }
    }
}
