/// The Sage 300 CRE tables Tieline's company store holds.
///
/// Names follow Sage's SQL replica (MODULE_TYPE__NAME). Where a name is not confirmed by a
/// public source the table's `note` says so; the README lists every name with its status. Money
/// columns hold exact cents. Evidence: public EF Core scaffolds of a Sage 300 CRE SQL replica
/// (JCM_MASTER__JOB, JCM_MASTER__CATEGORY, JCT_CURRENT__TRANSACTION: names, lengths, Row_ID 36,
/// Row_Version, Operator/Date/Time stamps) and Snowflake views over a replicated Sage database
/// (transaction types).
public enum SageSchema {
    public static let job = SageTable("JCM_MASTER__JOB", key: ["Job"], columns: [
        Col.job(), Col.description(), Col.status(), Col.customer(optional: true),
        // Billing: 'Contract' (billed through CN) or 'Quick bill' (billed without CN). The values are ours (inferred).
        SageColumn("Billing_Method", .text(20)),
        // For quick-bill jobs: 'Job' or 'Cost code'.
        SageColumn("Billing_Level", .text(20), optional: true),
        SageColumn("Original_Contract_Amount", .money),
        SageColumn("JTD_Aprvd_Contract_Chgs", .money),
        SageColumn("Revised_Contract_Amount", .money),
        SageColumn("Estimated_Start_Date", .date, optional: true),
        SageColumn("Revised_Start_Date", .date, optional: true),
        SageColumn("Actual_Start_Date", .date, optional: true),
        // Sage's bit, kept as 0 / 1.
        SageColumn("Use_PJ_Change_Management", .integer, optional: true),
        SageColumn("AR_Customer", .text(10), optional: true),
    ] + Col.address())

    public static let extra = SageTable("JCM_MASTER__EXTRA", key: ["Job", "Extra"], columns: [
        Col.job(), Col.extra(), Col.description(),
    ])

    public static let costCode = SageTable("JCM_MASTER__COST_CODE", key: ["Job", "Extra", "Cost_Code"], columns: [
        Col.job(), Col.extra(), Col.costCode(), Col.description(),
        // Scheduled values, used by quick-bill jobs billed at cost-code level.
        SageColumn("Original_Scheduled_Value", .money),
        SageColumn("Revised_Scheduled_Value", .money),
    ])

    public static let category = SageTable("JCM_MASTER__CATEGORY", key: ["Job", "Extra", "Cost_Code", "Category"], columns: [
        Col.job(), Col.extra(), Col.costCode(), Col.category(), Col.description(),
        SageColumn("Original_Estimate", .money),
        SageColumn("Approved_Estimate_Changes", .money),
        SageColumn("Pending_Estimate_Changes", .money),
        SageColumn("JTD_Cost", .money),
    ])

    public static let standardCostCode = SageTable("JCM_MASTER__STANDARD_COST_CODE", key: ["Cost_Code"], columns: [
        Col.costCode(), Col.description(),
    ])

    public static let standardCategory = SageTable("JCM_MASTER__STANDARD_CATEGORY", key: ["Category"], columns: [
        Col.category(), Col.description(),
    ])

    public static let customer = SageTable("ARM_MASTER__CUSTOMER", key: ["Customer"], columns: [
        Col.customer(), SageColumn("Name", .text(30)), SageColumn("Customer_Type", .text(20), optional: true),
    ] + Col.address())

    public static let customerType = SageTable("ARM_MASTER__CUSTOMER_TYPE", key: ["Customer_Type"],
        note: "setup table; name not verified by a public source", columns: [
        SageColumn("Customer_Type", .text(20)), Col.description(),
    ])

    public static let vendor = SageTable("APM_MASTER__VENDOR", key: ["Vendor"], columns: [
        Col.vendor(), SageColumn("Name", .text(30)),
    ] + Col.address())

    public static let invoice = SageTable("APM_MASTER__INVOICE", key: ["Vendor", "Invoice"], columns: [
        Col.vendor(), SageColumn("Invoice", .text(15)), Col.description(),
        SageColumn("Invoice_Date", .date), SageColumn("Accounting_Date", .date),
        SageColumn("Amount", .money), Col.status(), Col.job(optional: true),
    ])

    public static let distribution = SageTable("APM_MASTER__DISTRIBUTION", key: ["Vendor", "Invoice", "Dist_Seq"], columns: [
        Col.vendor(), SageColumn("Invoice", .text(15)), SageColumn("Dist_Seq", .integer),
        Col.job(optional: true), SageColumn("Extra", .text(10), optional: true), Col.costCode(optional: true),
        Col.category(optional: true), SageColumn("Expense_Account", .text(25), optional: true),
        SageColumn("Amount", .money),
    ])

    public static let contract = SageTable("CNC_ACTIVE__CONTRACT", key: ["Contract"],
        note: "name inferred from Sage's SQL replica naming", columns: [
        Col.contract(), Col.job(), Col.customer(), Col.description(),
        // 'Pending', 'Approved' or 'Closed'; only Approved contracts take change orders.
        Col.status(),
        SageColumn("Contract_Date", .date, optional: true),
        SageColumn("Original_Amount", .money),
        SageColumn("Revised_Amount", .money),
    ])

    public static let contractItem = SageTable("CNC_ACTIVE__CONTRACT_ITEM", key: ["Contract", "Item"],
        note: "name inferred", columns: [
        Col.contract(), Col.item(), Col.description(),
        Col.job(), Col.extra(), Col.costCode(), Col.category(optional: true),
        SageColumn("Original_Scheduled_Value", .money),
        SageColumn("Revised_Scheduled_Value", .money),
    ])

    public static let changeOrder = SageTable("CNC_ACTIVE__CHANGE_ORDER", key: ["Contract", "Change_Order"],
        note: "name inferred", columns: [
        Col.contract(), Col.changeOrder(), Col.description(), Col.status(),
        SageColumn("Change_Order_Date", .date),
        SageColumn("Amount", .money),
        // Change-management references (36 characters): Tieline keeps the Procore PCCO id here.
        SageColumn("Chg_Mgmt_Ref_1", .text(36), optional: true),
        SageColumn("Chg_Mgmt_Ref_2", .text(36), optional: true),
    ])

    public static let changeOrderItem = SageTable("CNC_ACTIVE__CHANGE_ORDER_ITEM", key: ["Contract", "Change_Order", "Item"],
        note: "name inferred", columns: [
        Col.contract(), Col.changeOrder(), Col.item(), Col.description(),
        SageColumn("Amount", .money),
    ])

    public static let changeRequest = SageTable("PJM_MASTER__CHANGE_REQUEST", key: ["Job", "Change_Request"],
        note: "PJ module; name inferred", columns: [
        Col.job(), SageColumn("Change_Request", .text(10)), Col.description(), Col.status(),
        SageColumn("Request_Date", .date), SageColumn("Amount", .money),
    ])

    public static let pjChangeOrder = SageTable("PJM_MASTER__CHANGE_ORDER", key: ["Job", "Change_Order"],
        note: "PJ module; name inferred", columns: [
        Col.job(), Col.changeOrder(), Col.description(), Col.status(),
        SageColumn("Change_Order_Date", .date), SageColumn("Amount", .money),
    ])

    /// JC transaction columns shared by posted history and the unposted batch.
    public static let transactionColumns: [SageColumn] = [
        Col.job(), SageColumn("Extra", .text(10)), Col.costCode(optional: true), Col.category(optional: true),
        SageColumn("Transaction_Type", .text(20)),
        SageColumn("Accounting_Date", .date), SageColumn("Transaction_Date", .date),
        Col.description(), SageColumn("Amount", .money), SageColumn("Units", .decimal, optional: true),
        Col.vendor(optional: true), SageColumn("Invoice", .text(15), optional: true),
        SageColumn("Commitment", .text(12), optional: true), SageColumn("Commitment_CO", .text(10), optional: true),
        SageColumn("Employee", .text(10), optional: true),
        SageColumn("Equipment", .text(10), optional: true), SageColumn("Equipment_Type", .text(5), optional: true),
        SageColumn("Credit_Account", .text(25), optional: true), SageColumn("Debit_Account", .text(25), optional: true),
        SageColumn("Pay_ID", .text(10), optional: true),
        SageColumn("Ref_1", .text(10), optional: true), SageColumn("Ref_2", .text(10), optional: true),
        Col.customer(optional: true), Col.contract(optional: true), Col.item(optional: true),
        Col.changeOrder(optional: true), SageColumn("Draw", .text(15), optional: true),
        SageColumn("Chg_Mgmt_Ref_1", .text(36), optional: true), SageColumn("Chg_Mgmt_Ref_2", .text(36), optional: true),
        SageColumn("Chg_Mgmt_URL", .text(260), optional: true),
        // Both evidenced with their lengths by the same EF Core scaffold (Application_of_Origin holds codes such as 'JC').
        SageColumn("Application_of_Origin", .text(3), optional: true), SageColumn("Transaction_Status", .text(20), optional: true),
        SageColumn("Operator_Stamp", .text(20), optional: true), SageColumn("Date_Stamp", .date, optional: true),
        // HH:MM:SS, as Sage's Time_Stamp time column reads.
        SageColumn("Time_Stamp", .text(8), optional: true),
    ]

    public static let transaction = SageTable("JCT_CURRENT__TRANSACTION", key: ["Run", "Sequence"], columns: [
        SageColumn("Run", .integer), SageColumn("Sequence", .integer),
        // The batch the entry was posted from (evidenced, 10).
        SageColumn("Batch", .text(10), optional: true),
    ] + transactionColumns)

    public static let unpostedTransaction = SageTable("JCT_UNPOSTED__TRANSACTION", key: ["Batch", "Entry"],
        note: "Sage keeps unposted JC entries in a batch file (new.jct); this table stands for it", columns: [
        SageColumn("Batch", .text(10)), SageColumn("Entry", .integer),
    ] + transactionColumns)

    /// Every table, parents before children.
    public static let tables: [SageTable] = [
        customerType, customer, vendor, standardCostCode, standardCategory,
        job, extra, costCode, category,
        contract, contractItem, changeOrder, changeOrderItem,
        changeRequest, pjChangeOrder,
        invoice, distribution,
        transaction, unpostedTransaction,
    ]

    /// The table named `name`.
    public static func table(_ name: String) -> SageTable? { tables.first { $0.name == name } }

    /// The change-marker column every table carries.
    public static let rowVersion = "Row_Version"

    /// The record's GUID (36 characters), stable for its life; Sage replicas carry it on every table.
    /// The hub and Procore use it as the record's origin id.
    public static let rowID = "Row_ID"
}

/// JC transaction types as Sage spells them (20 characters at most).
public enum TransactionType {
    public static let apCost = "AP cost"
    public static let jcCost = "JC cost"
    public static let prCost = "PR cost"
    public static let eqCost = "EQ cost"
    public static let ivCost = "IV cost"
    public static let smCost = "SM cost"
    public static let scheduledValue = "Scheduled value"
    public static let approvedScheduledValueChange = "Aprvd schdl val chng"
    public static let pendingScheduledValueChange = "Pndng schdl val chng"
    /// Pending schedule-value types are numbered too (`Pndng schd val chg 2` is evidenced).
    public static func pendingScheduledValueChange(_ n: Int) -> String { "Pndng schd val chg \(n)" }
    // Estimate-side spellings are not verified by a public source; they follow the same style (inferred).
    public static let originalEstimate = "Original estimate"
    public static let approvedEstimateChange = "Aprvd est chng"
    public static let pendingEstimateChange = "Pndng est chng"
    // Commitments, as Sage spells them (evidenced).
    public static let commitment = "Committed cost"
    public static let commitmentChange = "Aprvd cmmtt cst chng"
    public static let workBilled = "Work billed"

    /// Types that carry cost (roll up into JTD cost on the category).
    public static let costTypes: Set<String> = [apCost, jcCost, prCost, eqCost, ivCost, smCost]
}

/// Sage 300 CRE modules a company may own.
public enum SageModule: String, Sendable, Hashable, Codable, CaseIterable {
    case jc = "JC", cn = "CN", ap = "AP", ar = "AR", pj = "PJ"

    /// What every sample company owns; PJ is extra.
    public static let standard: Set<SageModule> = [.jc, .cn, .ap, .ar]
}
