import SyncCore
import Agent
import Foundation
import GRDB
import Procore
import SageStore
import SageModel
import TielineCore

/// The demo's export: Procore's sample ERP request parsed by the Procore intake and written by
/// the agent's exactly-once writer, exactly as an accepted export is.
enum DemoPCCO {
    /// Parses the embedded ERP request into the internal export request.
    static func export() throws(TielineError) -> ChangeOrderExport {
        let document = try JSONValue.parse(Data(DemoFixtures.erpRequest.utf8), context: "sample ERP request")
        guard case .createChangeOrder(let export) = try ERPEvent.parse(document: document) else {
            throw TielineError(.invalidInput, "the embedded sample is not a create_prime_contract_change_order request")
        }
        return export
    }

    static func printExport(_ export: ChangeOrderExport) {
        print("   PCCO \(export.number) \"\(export.title)\" (Procore id \(export.pccoID)) → job \(export.job), contract \(export.contract), total \(export.total)")
        for line in export.lines {
            print("     \(line.label): amount \(line.amount) → item \(line.contractItem); cost \(line.extendedAmount) → \(line.costCode)/\(line.category)")
            for markup in line.markups {
                print("       markup \(markup.name) \(markup.amount) (in the amount) → cost \(markup.costCode)/\(markup.category)")
            }
        }
    }

    static func printRecords(_ company: SageCompany, _ result: SageWriteResult) throws(TielineError) {
        try company.read { db throws in
            let co = try ChangeOrder.fetchOne(db, sql: "SELECT * FROM CNC_ACTIVE__CHANGE_ORDER WHERE Contract = ? AND Change_Order = ?",
                                              arguments: [result.contract, result.changeOrder])!
            print("   CNC_ACTIVE__CHANGE_ORDER       \(co.contract) / \(co.changeOrder)  \(co.description ?? "")  \(co.status)  \(co.date)  \(co.amount)  Chg_Mgmt_Ref_1 \(co.chgMgmtRef1 ?? "-")")
            for item in try ChangeOrderItem.fetchAll(db, sql: "SELECT * FROM CNC_ACTIVE__CHANGE_ORDER_ITEM WHERE Contract = ? AND Change_Order = ? ORDER BY Item",
                                                     arguments: [result.contract, result.changeOrder]) {
                print("   CNC_ACTIVE__CHANGE_ORDER_ITEM  item \(item.item)  \(item.amount)")
            }
            for entry in try UnpostedTransaction.fetchAll(db, sql: "SELECT * FROM JCT_UNPOSTED__TRANSACTION WHERE Batch = ? ORDER BY Entry",
                                                          arguments: [result.batch]) {
                let t = entry.transaction
                let coding = t.item.map { "item \($0)" } ?? "\(t.costCode ?? "")/\(t.category ?? "")"
                print("   JCT_UNPOSTED__TRANSACTION      #\(entry.entry)  \(Output.pad(t.transactionType, 20))  \(Output.pad(coding, 12))  \(t.amount)")
            }
        }
    }

    /// The roll-ups Post Entries made for this export: job, changed contract items, changed categories.
    static func printRollups(_ company: SageCompany, export: ChangeOrderExport, result: SageWriteResult) throws(TielineError) {
        try company.read { db throws in
            let job = try Job.fetchOne(db, sql: "SELECT * FROM JCM_MASTER__JOB WHERE Job = ?", arguments: [export.job])!
            print("   Job \(export.job) revised contract amount: \(job.revisedContractAmount) (original \(job.originalContractAmount))")
            for item in try ContractItem.fetchAll(db, sql: "SELECT * FROM CNC_ACTIVE__CONTRACT_ITEM WHERE Contract = ? ORDER BY Item", arguments: [result.contract])
            where result.items[item.item] != nil {
                print("   Contract item \(item.item) revised scheduled value: \(item.revisedScheduledValue)")
            }
            let codings = Set(export.lines.flatMap { [[$0.costCode, $0.category]] + $0.markups.map { [$0.costCode, $0.category] } })
            for coding in codings.sorted(by: { $0.joined() < $1.joined() }) {
                for category in try Category.fetchAll(db, sql: "SELECT * FROM JCM_MASTER__CATEGORY WHERE Job = ? AND Cost_Code = ? AND Category = ?",
                                                      arguments: [export.job, coding[0], coding[1]]) {
                    print("   Category \(coding[0])/\(coding[1]) approved estimate changes: \(category.approvedEstimateChanges)")
                }
            }
        }
    }
}
