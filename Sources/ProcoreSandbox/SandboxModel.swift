import Foundation
import Procore
import TielineCore

/// A Procore project in the sandbox; `originCode` set means linked to a Sage job.
public struct SandboxProject: Sendable, Hashable {
    public var id: Int
    public var name: String
    public var originID: String?
    public var originCode: String?
}

/// A cost code on a project (`full_code` is the Sage Cost_Code).
public struct SandboxCostCode: Sendable, Hashable {
    public var id: Int
    public var projectID: Int
    public var fullCode: String
    public var name: String
}

/// A line item type (`code` is the Sage Category).
public struct SandboxLineItemType: Sendable, Hashable {
    public var id: Int
    public var code: String
    public var name: String
}

/// A prime contract line item (`originCode` is the Sage contract Item).
public struct SandboxContractItem: Sendable, Hashable {
    public var id: Int
    public var description: String
    public var amount: Money
    public var originCode: String?
    public var costCodeID: Int
    public var lineItemTypeID: Int
}

/// A prime contract (`originCode` is the Sage Contract).
public struct SandboxPrimeContract: Sendable, Hashable {
    public var id: Int
    public var projectID: Int
    public var number: String
    public var title: String
    public var status: String
    public var originID: String?
    public var originCode: String?
    public var items: [SandboxContractItem]
    /// The staged record it was imported from (Ready to Import); nil for a contract made in Procore.
    public var importedFrom: Int? = nil
}

/// A markup on a PCCO line, booked to its destination cost code and type.
public struct SandboxMarkup: Sendable, Hashable {
    public var id: Int
    public var markupID: Int
    public var name: String
    public var percentage: String
    public var amount: Money
    public var destinationCostCodeID: Int
    public var destinationLineItemTypeID: Int
}

/// A PCCO line item.
public struct SandboxPCCOLine: Sendable, Hashable {
    public var id: Int
    public var description: String
    /// The line WITH its markups, as Procore's `amount` (ERP Events Dictionary: 299.0 + 44.85 = 343.85).
    public var amount: Money
    /// The line before markups, Procore's `extended_amount`.
    public var extendedAmount: Money
    public var primeLineItemID: Int
    public var costCodeID: Int
    public var lineItemTypeID: Int
    public var markups: [SandboxMarkup]
    public var originID: String?
}

/// A prime contract change order.
public struct SandboxPCCO: Sendable, Hashable {
    public var id: Int
    public var projectID: Int
    public var contractID: Int
    public var number: String
    public var title: String
    public var description: String
    public var status: String
    public var originID: String?
    public var originCode: String?
    public var transactionDate: CalendarDate?
    public var createdAt: Date
    public var updatedAt: Date
    public var lines: [SandboxPCCOLine]
    /// The other fields Update Prime Change Order documents that the sandbox keeps as given (dates, flags,
    /// revision, reference...), by their JSON names; absent ones render with a PCCO's defaults.
    public var documentedFields: [String: JSONValue] = [:]
}

/// An ERP request waiting for the integrator, with the payload Procore would deliver.
public struct SandboxERPRequest: Sendable, Hashable {
    public var id: Int
    public var name: String
    public var data: JSONValue
    public var createdAt: Date
}

/// A request detail: the integrator closes it with a status and messages the user sees.
public struct SandboxRequestDetail: Sendable, Hashable {
    public var id: Int
    public var status: String
    public var messages: [String]
}

/// An origin id written through ERP External Data sync.
public struct SandboxExternalUpdate: Sendable, Hashable {
    public var itemType: String
    public var itemID: Int
    public var originID: String?
}

/// A list page the sandbox answered: its path, `page`, the `Per-Page` it used and the list's `Total`.
public struct SandboxServedPage: Sendable, Hashable {
    public var path: String
    public var page: Int
    public var perPage: Int
    public var total: Int
}
