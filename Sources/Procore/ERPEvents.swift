import TielineCore

/// A PCCO event from Procore's ERP platform, as documented in the ERP Events Dictionary.
public enum ERPEvent: Sendable, Hashable {
    /// `create_prime_contract_change_order`: the approver accepted the PCCO; write it to Sage.
    case createChangeOrder(ChangeOrderExport)
    /// `reset_prime_contract_change_order`: a support user reset a synced PCCO.
    case resetChangeOrder(ChangeOrderReset)
    /// `unlink_prime_contract_change_order`: a user unlinked a synced PCCO.
    case unlinkChangeOrder(ChangeOrderUnlink)
    /// `sync_jobs`, `sync_single_job`, `sync_prime_contracts`: stage Sage's jobs or prime contracts for import.
    case stage(StagingRequest)
    /// `create_job_in_procore`: a user pressed Add to Procore on a staged job; the project now exists, linked to it.
    /// The dictionary requires nothing back (no request detail); it only lets the integration send more for the project.
    case jobCreatedInProcore(ProcoreJobCreated)

    /// Request names Tieline handles.
    public static let createName = "create_prime_contract_change_order"
    public static let resetName = "reset_prime_contract_change_order"
    public static let unlinkName = "unlink_prime_contract_change_order"
    public static let syncJobsName = "sync_jobs"
    public static let syncSingleJobName = "sync_single_job"
    public static let syncPrimeContractsName = "sync_prime_contracts"
    public static let createJobInProcoreName = "create_job_in_procore"

    /// Parses a whole event document `{"request_name": ..., "request_data": {...}}`.
    public static func parse(document: JSONValue, companyID: Int? = nil) throws(TielineError) -> ERPEvent {
        let root = PayloadReader(document)
        let name = try root.string("request_name")
        return try parse(requestName: name, data: try root.required("request_data"), companyID: companyID)
    }

    /// Parses `request_data` for the event named `requestName`.
    public static func parse(requestName: String, data: PayloadReader, companyID: Int? = nil) throws(TielineError) -> ERPEvent {
        switch requestName {
        case createName: return .createChangeOrder(try parseCreate(data, companyID: companyID))
        case resetName: return .resetChangeOrder(try ChangeOrderReset(data))
        case unlinkName: return .unlinkChangeOrder(try ChangeOrderUnlink(data))
        case syncJobsName: return .stage(StagingRequest(kind: .jobs, requestDetailID: try data.optionalInt("request_detail_id")))
        case syncSingleJobName:
            // The dictionary's example names the project by its origin id in `id`, and has no request detail.
            // Without `id` it would be a whole sync_jobs (and archive every other job): refused instead.
            return .stage(StagingRequest(kind: .jobs, requestDetailID: try data.optionalInt("request_detail_id"),
                                         projectOriginID: try data.string("id", maxLength: 255, allowEmpty: false)))
        case syncPrimeContractsName: return .stage(StagingRequest(kind: .primeContracts, requestDetailID: try data.optionalInt("request_detail_id")))
        case createJobInProcoreName: return .jobCreatedInProcore(try ProcoreJobCreated(try data.required("project")))
        default:
            throw TielineError(.procoreUnsupportedRequest, "request_name: '\(requestName.clipped(80))' is not an event Tieline handles")
        }
    }

    /// `create_prime_contract_change_order` → the internal export request.
    static func parseCreate(_ data: PayloadReader, companyID: Int?) throws(TielineError) -> ChangeOrderExport {
        let project = try data.required("project")
        let contract = try data.required("prime_contract")
        let pcco = try data.required("prime_contract_change_order")
        let contractItems = try ChangeOrderParsing.contractItemCodes(try data.optionalArray("prime_contract_items"))
        let items = try data.array("prime_contract_change_order_items")
        let lines = try ChangeOrderParsing.lines(items, contractItems: contractItems)
        let transactionDate = try pcco.optional("erp_custom_fields")?.optionalDate("transaction_date")
        return ChangeOrderExport(
            intake: .erpRequest(requestDetailID: try data.int("request_detail_id")),
            procoreCompanyID: companyID,
            procoreProjectID: try project.int("id"),
            projectName: try project.optionalString("name", maxLength: PayloadReader.maxTextLength) ?? "",
            job: try ChangeOrderParsing.originCode(project, what: "project"),
            procoreContractID: try contract.int("id"),
            contract: try ChangeOrderParsing.originCode(contract, what: "prime contract"),
            pccoID: try pcco.int("id"),
            number: try ChangeOrderParsing.number(pcco, "number"),
            title: try pcco.optionalString("title", maxLength: PayloadReader.maxTextLength) ?? "",
            details: try pcco.optionalString("description", maxLength: PayloadReader.maxTextLength),
            status: try pcco.string("status"),
            transactionDate: transactionDate,
            lines: lines)
    }
}

/// A request to stage Sage records for Procore's "Ready to Import" (ERP Events Dictionary: sync_jobs,
/// sync_single_job, sync_prime_contracts).
public struct StagingRequest: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case jobs, primeContracts

        /// What it stages, as messages name it: "jobs", "prime contracts".
        public var label: String { self == .jobs ? "jobs" : "prime contracts" }
    }
    public var kind: Kind
    /// The request detail to close with the outcome (none for sync_single_job).
    public var requestDetailID: Int?
    /// Only this project (sync_single_job).
    public var projectOriginID: String?

    public init(kind: Kind, requestDetailID: Int?, projectOriginID: String? = nil) {
        self.kind = kind
        self.requestDetailID = requestDetailID
        self.projectOriginID = projectOriginID
    }

    /// The ERP request's name (sync_jobs, sync_single_job, sync_prime_contracts).
    public var eventName: String {
        switch kind {
        case .jobs: projectOriginID == nil ? ERPEvent.syncJobsName : ERPEvent.syncSingleJobName
        case .primeContracts: ERPEvent.syncPrimeContractsName
        }
    }
}

/// What a `create_job_in_procore` event names: the Procore project made from a staged job (ERP Events Dictionary:
/// `project` with `id`, `name`, `origin_id`, `origin_data`, `origin_code`).
public struct ProcoreJobCreated: Sendable, Hashable {
    public var projectID: Int
    public var name: String
    /// The staged job's origin id (Tieline stages the Sage job's Row_ID) and code (the Sage Job).
    public var originID: String?
    public var originCode: String?

    public init(projectID: Int, name: String, originID: String?, originCode: String?) {
        self.projectID = projectID
        self.name = name
        self.originID = originID
        self.originCode = originCode
    }

    init(_ r: PayloadReader) throws(TielineError) {
        projectID = try r.int("id")
        name = try r.optionalString("name", maxLength: PayloadReader.maxTextLength) ?? ""
        originID = try r.optionalString("origin_id", maxLength: 255)
        originCode = try r.optionalString("origin_code", maxLength: 255)
    }
}

/// What a `reset_prime_contract_change_order` event names: the PCCO and lines to un-sync.
public struct ChangeOrderReset: Sendable, Hashable {
    public var projectID: Int
    public var primeContractID: Int
    public var pccoID: Int
    public var number: String
    /// The origin id Tieline wrote back when the PCCO synced, if any.
    public var pccoOriginID: String?
    public var lineItemIDs: [Int]
    public var resetEstimateTransactions: Bool
    public var resetRevenueTransactions: Bool

    /// A reset, field by field (tests and the hub build them; Procore sends JSON).
    public init(projectID: Int, primeContractID: Int, pccoID: Int, number: String, pccoOriginID: String?,
                lineItemIDs: [Int], resetEstimateTransactions: Bool, resetRevenueTransactions: Bool) {
        self.projectID = projectID
        self.primeContractID = primeContractID
        self.pccoID = pccoID
        self.number = number
        self.pccoOriginID = pccoOriginID
        self.lineItemIDs = lineItemIDs
        self.resetEstimateTransactions = resetEstimateTransactions
        self.resetRevenueTransactions = resetRevenueTransactions
    }

    init(_ r: PayloadReader) throws(TielineError) {
        projectID = try r.int("project_id")
        primeContractID = try r.int("prime_contract_id")
        pccoID = try r.int("prime_contract_change_order_id")
        number = try ChangeOrderParsing.number(r, "prime_contract_change_order_number")
        pccoOriginID = try r.optionalString("prime_contract_change_order_origin_id")
        lineItemIDs = try r.optionalArray("prime_contract_change_order_line_items").map { (i) throws(TielineError) in try i.int("id") }
        resetEstimateTransactions = try Self.flag(r, "reset_estimate_transactions")
        resetRevenueTransactions = try Self.flag(r, "reset_revenue_transactions")
    }

    static func flag(_ r: PayloadReader, _ key: String) throws(TielineError) -> Bool {
        guard let f = try r.optional(key) else { return false }
        guard case .bool(let b) = f.value else { throw TielineError(.procorePayload, "\(f.path): expected a boolean, found \(f.value.typeName)") }
        return b
    }
}

/// What an `unlink_prime_contract_change_order` event names; its request detail must be closed.
public struct ChangeOrderUnlink: Sendable, Hashable {
    public var primeContractID: Int
    public var pccoID: Int
    public var number: String
    public var pccoOriginID: String?
    public var lineItemIDs: [Int]
    public var requestDetailID: Int?

    init(_ r: PayloadReader) throws(TielineError) {
        let contract = try r.required("prime_contract")
        let pcco = try r.required("prime_contract_change_order")
        primeContractID = try contract.int("id")
        pccoID = try pcco.int("id")
        number = try ChangeOrderParsing.number(pcco, "number")
        pccoOriginID = try pcco.optionalString("origin_id")
        lineItemIDs = try r.optionalArray("prime_contract_change_order_line_items").map { (i) throws(TielineError) in try i.int("id") }
        requestDetailID = try r.optionalInt("request_detail_id")
    }
}
