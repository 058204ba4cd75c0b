import GRDB
import SageModel
import TielineCore

/// A JC job (Job (CV) in hh2's catalog), with its contract and billing columns.
public struct Job: SageRecord, Hashable {
    public static let sageTable = SageSchema.job
    public var job: String
    public var description: String?
    /// `Unstarted`, `In progress` or `Closed`.
    public var status: String
    public var customer: String?
    /// `Contract` (billed through CN) or `Quick bill`.
    public var billingMethod: String
    /// For quick-bill jobs: `Job` or `Cost code`.
    public var billingLevel: String?
    public var originalContractAmount: Money
    public var revisedContractAmount: Money
    public var estimatedStartDate: CalendarDate?

    public init(job: String, description: String?, status: String = "In progress", customer: String? = nil,
                billingMethod: String = "Contract", billingLevel: String? = nil,
                originalContractAmount: Money = .zero, revisedContractAmount: Money? = nil, estimatedStartDate: CalendarDate? = nil) {
        self.job = job
        self.description = description
        self.status = status
        self.customer = customer
        self.billingMethod = billingMethod
        self.billingLevel = billingLevel
        self.originalContractAmount = originalContractAmount
        self.revisedContractAmount = revisedContractAmount ?? originalContractAmount
        self.estimatedStartDate = estimatedStartDate
    }

    enum CodingKeys: String, CodingKey {
        case job = "Job", description = "Description", status = "Status", customer = "Customer"
        case billingMethod = "Billing_Method", billingLevel = "Billing_Level"
        case originalContractAmount = "Original_Contract_Amount", revisedContractAmount = "Revised_Contract_Amount"
        case estimatedStartDate = "Estimated_Start_Date"
    }
}

/// A job's cost code, with scheduled values for quick-bill jobs billed at cost-code level.
public struct CostCode: SageRecord, Hashable {
    public static let sageTable = SageSchema.costCode
    public var job: String
    public var extra: String
    public var costCode: String
    public var description: String?
    public var originalScheduledValue: Money
    public var revisedScheduledValue: Money

    public init(job: String, extra: String = "", costCode: String, description: String?,
                originalScheduledValue: Money = .zero, revisedScheduledValue: Money? = nil) {
        self.job = job
        self.extra = extra
        self.costCode = costCode
        self.description = description
        self.originalScheduledValue = originalScheduledValue
        self.revisedScheduledValue = revisedScheduledValue ?? originalScheduledValue
    }

    enum CodingKeys: String, CodingKey {
        case job = "Job", extra = "Extra", costCode = "Cost_Code", description = "Description"
        case originalScheduledValue = "Original_Scheduled_Value", revisedScheduledValue = "Revised_Scheduled_Value"
    }
}

/// A category (cost type) under a job's cost code, with its estimate and cost totals.
public struct Category: SageRecord, Hashable {
    public static let sageTable = SageSchema.category
    public var job: String
    public var extra: String
    public var costCode: String
    public var category: String
    public var description: String?
    public var originalEstimate: Money
    public var approvedEstimateChanges: Money
    public var pendingEstimateChanges: Money
    public var jtdCost: Money

    public init(job: String, extra: String = "", costCode: String, category: String, description: String?,
                originalEstimate: Money = .zero, approvedEstimateChanges: Money = .zero,
                pendingEstimateChanges: Money = .zero, jtdCost: Money = .zero) {
        self.job = job
        self.extra = extra
        self.costCode = costCode
        self.category = category
        self.description = description
        self.originalEstimate = originalEstimate
        self.approvedEstimateChanges = approvedEstimateChanges
        self.pendingEstimateChanges = pendingEstimateChanges
        self.jtdCost = jtdCost
    }

    enum CodingKeys: String, CodingKey {
        case job = "Job", extra = "Extra", costCode = "Cost_Code", category = "Category", description = "Description"
        case originalEstimate = "Original_Estimate", approvedEstimateChanges = "Approved_Estimate_Changes"
        case pendingEstimateChanges = "Pending_Estimate_Changes", jtdCost = "JTD_Cost"
    }
}
