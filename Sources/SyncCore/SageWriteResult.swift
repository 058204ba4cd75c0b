import TielineCore

/// The Sage keys an export produced, reported by the agent to the hub and on to Procore.
public struct SageWriteResult: Sendable, Hashable, Codable {
    public var contract: String
    public var changeOrder: String
    /// Contract items changed, with the amount each received.
    public var items: [String: Money]
    public var batch: String
    /// Entry numbers of the JC batch transactions written.
    public var entries: [Int64]
    public var total: Money
    /// True when this export had already been written (a redelivery): nothing new was written.
    public var alreadyWritten: Bool
    /// The Row_IDs of what was written, reported to Procore as origin ids (nil from an agent before Row_IDs).
    public var rowIDs: SageRowIDs?

    public init(contract: String, changeOrder: String, items: [String: Money], batch: String, entries: [Int64],
                total: Money, alreadyWritten: Bool, rowIDs: SageRowIDs? = nil) {
        self.contract = contract
        self.changeOrder = changeOrder
        self.items = items
        self.batch = batch
        self.entries = entries
        self.total = total
        self.alreadyWritten = alreadyWritten
        self.rowIDs = rowIDs
    }
}

/// The Sage records' GUIDs (Row_ID) an export wrote: they are the records' origin ids in Procore.
public struct SageRowIDs: Sendable, Hashable, Codable {
    /// The CN change order header.
    public var changeOrder: String
    /// The change order item per contract item.
    public var items: [String: String]
    /// The approved estimate change per `costCode|category`.
    public var estimates: [String: String]

    public init(changeOrder: String, items: [String: String], estimates: [String: String]) {
        self.changeOrder = changeOrder
        self.items = items
        self.estimates = estimates
    }
}

/// What the agent reports for one export it was handed: the Sage keys, or why it could not write.
public struct ExportOutcome: Sendable, Hashable, Codable {
    public var written: SageWriteResult?
    /// Set when nothing was written: the error's code (e.g. `change_order_conflict`) and message.
    public var errorCode: String?
    public var errorMessage: String?

    public init(written: SageWriteResult) {
        self.written = written
    }

    public init(errorCode: String, errorMessage: String) {
        self.errorCode = errorCode
        self.errorMessage = errorMessage
    }
}

/// An export handed to the agent by `GET /v1/exports/next`: to write, or (`check`) only to check against Sage.
public struct ExportAssignment: Sendable, Hashable, Codable {
    /// The hub's export id, echoed in `POST /v1/exports/{id}/result` or `/check`.
    public var id: Int64
    public var export: ChangeOrderExport
    /// The approver's transaction date.
    public var transactionDate: CalendarDate
    /// True: validate against Sage and answer `POST /v1/exports/{id}/check`; write nothing.
    /// Only agents that ask with `checks=1` are handed these, so an older agent never writes one.
    public var check: Bool

    public init(id: Int64, export: ChangeOrderExport, transactionDate: CalendarDate, check: Bool = false) {
        self.id = id
        self.export = export
        self.transactionDate = transactionDate
        self.check = check
    }

    enum CodingKeys: String, CodingKey { case id, export, transactionDate, check }

    // A hub from before checks sends no `check`: every assignment is a write.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decode(Int64.self, forKey: .id), export: try c.decode(ChangeOrderExport.self, forKey: .export),
                  transactionDate: try c.decode(CalendarDate.self, forKey: .transactionDate),
                  check: try c.decodeIfPresent(Bool.self, forKey: .check) ?? false)
    }
}

/// The agent's answer to a check (`POST /v1/exports/{id}/check`): what Sage itself finds wrong, if anything.
public struct SageCheck: Sendable, Hashable, Codable {
    public var problems: [ValidationProblem]
    /// Set when Sage could not be read (a moved file, a locked database): no verdict at all, so the hub
    /// keeps the PCCO Checking with Sage and hands the check out again later. `problems` is then ignored.
    public var unreadable: String?

    public init(problems: [ValidationProblem], unreadable: String? = nil) {
        self.problems = problems
        self.unreadable = unreadable
    }
}
