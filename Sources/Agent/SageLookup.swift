import GRDB
import SageStore
import SageModel
import SyncCore

/// Answers validation's questions from the Sage company itself, inside the writing transaction.
struct SageLookup: SageExportLookup {
    let db: Database

    func jobExists(_ job: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM JCM_MASTER__JOB WHERE Job = ?"), arguments: [job]) ?? false
    }

    func contract(_ contract: String) throws -> (job: String, status: String)? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT Job, Status FROM CNC_ACTIVE__CONTRACT WHERE Contract = ?"), arguments: [contract])
            .map { ($0["Job"], $0["Status"]) }
    }

    func contractItemExists(contract: String, item: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM CNC_ACTIVE__CONTRACT_ITEM WHERE Contract = ? AND Item = ?"), arguments: [contract, item]) ?? false
    }

    func categoryExists(job: String, costCode: String, category: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM JCM_MASTER__CATEGORY WHERE Job = ? AND Cost_Code = ? AND Category = ?"),
                          arguments: [job, costCode, category]) ?? false
    }

    func changeOrderReference(contract: String, number: String) throws -> String?? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT Chg_Mgmt_Ref_1 FROM CNC_ACTIVE__CHANGE_ORDER WHERE Contract = ? AND Change_Order = ?"),
                                         arguments: [contract, number]) else { return nil }
        return .some(row["Chg_Mgmt_Ref_1"] as String?)
    }

    func customer(contract: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT Customer FROM CNC_ACTIVE__CONTRACT WHERE Contract = ?"), arguments: [contract])
    }

    func itemCoding(contract: String, item: String) throws -> (extra: String, costCode: String?) {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT Extra, Cost_Code FROM CNC_ACTIVE__CONTRACT_ITEM WHERE Contract = ? AND Item = ?"),
                                         arguments: [contract, item]) else { return ("", nil) }
        return (row["Extra"] ?? "", row["Cost_Code"])
    }

    func extra(job: String, costCode: String, category: String) throws -> String {
        try String.fetchOne(db.cachedStatement(sql: "SELECT Extra FROM JCM_MASTER__CATEGORY WHERE Job = ? AND Cost_Code = ? AND Category = ? ORDER BY Extra LIMIT 1"),
                            arguments: [job, costCode, category]) ?? ""
    }
}
