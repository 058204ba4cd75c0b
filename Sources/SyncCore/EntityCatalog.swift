import SageModel
import TielineCore

/// The entities of hh2's Advanced Mappings, each bound to its Sage table, key and columns.
public enum EntityCatalog {
    public static let contract = SyncEntity(name: "Contract (CN)", table: SageSchema.contract,
        filter: nil, dateColumn: nil, requiresModule: nil, fieldOptions: [])
    public static let contractChangeOrder = SyncEntity(name: "Contract Change Order (CN)", table: SageSchema.changeOrder,
        filter: nil, dateColumn: "Change_Order_Date", requiresModule: nil, fieldOptions: [])
    public static let pjChangeOrder = SyncEntity(name: "Contract Change Order (PJ)", table: SageSchema.pjChangeOrder,
        filter: nil, dateColumn: "Change_Order_Date", requiresModule: .pj, fieldOptions: [])
    public static let contractChangeOrderItem = SyncEntity(name: "Contract Change Order Item (CN)", table: SageSchema.changeOrderItem,
        filter: nil, dateColumn: nil, requiresModule: nil, fieldOptions: [])
    public static let pjChangeRequest = SyncEntity(name: "Contract Change Request (PJ)", table: SageSchema.changeRequest,
        filter: nil, dateColumn: "Request_Date", requiresModule: .pj, fieldOptions: [])
    public static let contractItem = SyncEntity(name: "Contract Item (CN)", table: SageSchema.contractItem,
        filter: nil, dateColumn: nil, requiresModule: nil, fieldOptions: [])
    public static let customer = SyncEntity(name: "Customer", table: SageSchema.customer,
        filter: nil, dateColumn: nil, requiresModule: nil, fieldOptions: [])
    public static let customerType = SyncEntity(name: "Customer Type", table: SageSchema.customerType,
        filter: nil, dateColumn: nil, requiresModule: nil, fieldOptions: [])
    public static let invoice = SyncEntity(name: "Invoice (AP)", table: SageSchema.invoice,
        filter: nil, dateColumn: "Accounting_Date", requiresModule: nil, fieldOptions: [])
    public static let job = SyncEntity(name: "Job (CV)", table: SageSchema.job,
        filter: nil, dateColumn: nil, requiresModule: nil, fieldOptions: [])
    public static let quickBillContract = SyncEntity(name: "Quick Bill Contract", table: SageSchema.job,
        filter: "\"Billing_Method\" = 'Quick bill'", dateColumn: nil, requiresModule: nil, fieldOptions: [])
    public static let quickBillContractItem = SyncEntity(name: "Quick Bill Contract Item", table: SageSchema.costCode,
        filter: "\"Job\" IN (SELECT \"Job\" FROM JCM_MASTER__JOB WHERE \"Billing_Method\" = 'Quick bill' AND \"Billing_Level\" = 'Cost code')",
        dateColumn: nil, requiresModule: nil, fieldOptions: [])
    public static let transaction = SyncEntity(name: "Transaction (JC)", table: SageSchema.transaction,
        filter: nil, dateColumn: "Accounting_Date", requiresModule: nil, fieldOptions: transactionOptions)

    /// Transaction (JC)'s optional field groups, in hh2's order.
    public static let transactionOptions: [FieldOption] = [
        FieldOption("Commitment Change Order", ["Commitment_CO"]),
        FieldOption("Employee", ["Employee"]),
        FieldOption("Equipment", ["Equipment", "Equipment_Type"]),
        FieldOption("Credit Account", ["Credit_Account"]),
        FieldOption("Debit Account", ["Debit_Account"]),
        FieldOption("Pay ID", ["Pay_ID"]),
        FieldOption("Reference 1", ["Ref_1"]),
        FieldOption("Reference 2", ["Ref_2"]),
    ]

    /// Every entity, in the order hh2's Advanced Mappings lists them.
    public static let all: [SyncEntity] = [
        contract, contractChangeOrder, pjChangeOrder, contractChangeOrderItem, pjChangeRequest,
        contractItem, customer, customerType, invoice, job, quickBillContract, quickBillContractItem, transaction,
    ]

    /// The entity with exactly this UI name.
    public static func entity(named name: String) -> SyncEntity? { all.first { $0.name == name } }

    /// Resolves what a user typed: case-insensitive, with or without the module suffix where
    /// that is unambiguous. Unknown names get the valid list and the closest suggestion.
    public static func resolve(_ input: String) throws(TielineError) -> SyncEntity {
        let typed = input.trimmingWhitespace()
        if let exact = all.first(where: { $0.name.caseInsensitiveCompare(typed) == .orderedSame }) { return exact }
        let byBase = all.filter { $0.baseName.caseInsensitiveCompare(typed) == .orderedSame }
        if byBase.count == 1 { return byBase[0] }
        if byBase.count > 1 {
            throw TielineError(.ambiguousEntity,
                "'\(typed)' is ambiguous: did you mean \(byBase.map { "'\($0.name)'" }.joined(separator: " or "))?")
        }
        let closest = all.min { editDistance($0.name.lowercased(), typed.lowercased()) < editDistance($1.name.lowercased(), typed.lowercased()) }!
        throw TielineError(.unknownEntity,
            "unknown entity '\(typed)'; did you mean '\(closest.name)'? Valid entities: \(all.map(\.name).joined(separator: ", "))")
    }

    /// Levenshtein distance, for "did you mean" suggestions.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}

extension TielineError.Code {
    public static let unknownEntity = WireErrorCode.unknownEntity.code
    public static let ambiguousEntity = Self("ambiguous_entity")
    public static let unknownFieldOption = Self("unknown_field_option")
    public static let removalNotAllowed = Self("removal_not_allowed")
    public static let invalidTimeframe = Self("invalid_timeframe")
    public static let entityNotMapped = Self("entity_not_mapped")
    public static let moduleNotOwned = Self("module_not_owned")
}
