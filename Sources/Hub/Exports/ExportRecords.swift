import Foundation
import Procore
import SyncCore
import TielineCore

/// Where an export stands, in Procore's words.
public enum ExportStatus: String, Sendable, Codable, CaseIterable {
    /// Sent to ERP; waiting for the accounting approver.
    case ready
    /// The mirror did not know something the PCCO refers to; the agent is asking Sage itself.
    case checking
    /// Accepted with a transaction date; waiting for the agent.
    case accepted
    /// The agent has it, or Sage has it and Procore is being told.
    case exporting
    case synced
    /// Failed to Export, with the error text.
    case failed
    /// Rejected by the approver; editable again in Procore.
    case rejected
    /// Retrieved before acceptance; editable again in Procore.
    case retrieved
    /// Unlinked after it was synced.
    case unlinked

    /// The label people see.
    public var label: String {
        switch self {
        case .ready: "Ready to Export"
        case .checking: "Checking with Sage"
        case .accepted: "Accepted"
        case .exporting: "Exporting"
        case .synced: "Synced"
        case .failed: "Failed to Export"
        case .rejected: "Rejected"
        case .retrieved: "Retrieved"
        case .unlinked: "Unlinked"
        }
    }

    /// Whether an agent's long-poll has work in this status (to write, or to check against Sage).
    public var wakesAgent: Bool { self == .accepted || self == .checking }

    /// Procore's list filters: ready, failed, synced, archived, all.
    public static func filter(_ name: String) throws(TielineError) -> Set<ExportStatus>? {
        switch name.lowercased() {
        case "ready": return [.ready, .checking]
        case "accepted": return [.accepted, .exporting]
        case "failed": return [.failed]
        case "synced": return [.synced]
        case "archived": return [.rejected, .retrieved, .unlinked]
        case "all": return nil
        // Single statuses, for scripts that want exactly one.
        case "checking": return [.checking]
        case "exporting": return [.exporting]
        case "rejected": return [.rejected]
        case "retrieved": return [.retrieved]
        case "unlinked": return [.unlinked]
        default:
            throw TielineError(.invalidInput, "unknown status '\(name)'; use one of: ready, accepted, failed, synced, archived, all, or one of checking, exporting, rejected, retrieved, unlinked")
        }
    }
}

/// Something Procore still has to be told about an export, retried until it is.
public struct WriteBackState: Sendable, Hashable, Codable {
    /// What Procore is to be told.
    public enum Purpose: String, Sendable, Hashable, Codable {
        /// The change order is in Sage: origin ids back, request closed (or PATCH).
        case synced
        /// Failed to Export: the request detail closed as failed with the error text.
        case failed
        /// Rejected or Retrieved by the approver: the request closed, the PCCO editable again.
        case rejected
        /// Unlinked or reset: origin ids cleared.
        case unlinked
    }

    public var purpose: Purpose
    public var attempts: Int
    public var lastError: String?
    /// When the next attempt is due.
    public var dueAt: Date

    public init(purpose: Purpose, attempts: Int = 0, lastError: String? = nil, dueAt: Date) {
        self.purpose = purpose
        self.attempts = attempts
        self.lastError = lastError
        self.dueAt = dueAt
    }
}

/// One PCCO in a site's export queue.
public struct HubExport: Sendable, Hashable, Codable {
    /// Assigned by storage on insert (0 before).
    public var id: Int64
    public var status: ExportStatus
    public var export: ChangeOrderExport
    /// Validation against the mirror, as of the last check; Accept needs it empty.
    public var problems: [ValidationProblem]
    public var transactionDate: CalendarDate?
    /// The approver's rejection comment.
    public var comment: String?
    /// Failed to Export: the text the user sees.
    public var error: String?
    /// What the agent wrote into Sage.
    public var result: SageWriteResult?
    /// Set while Procore still has to be told about a write that is already in Sage.
    public var writeBack: WriteBackState?
    /// Differences between Sage and what was exported, found by later syncs.
    public var drift: [String]
    /// How many times it was handed to an agent.
    public var deliveries: Int
    /// The agent that holds it while Exporting, and until when (a dead agent's claim lapses).
    public var claimedBy: String?
    public var claimedUntil: Date?
    public var createdAt: Date
    public var updatedAt: Date
    public var acceptedAt: Date?
    public var syncedAt: Date?
    /// True when the accounting approver already approved the export in Procore (its ERP flow):
    /// a valid PCCO goes straight to the agent, a refused one fails back to Procore. Nil or false: the hub's Accept.
    public var approvedInProcore: Bool?
    /// When Sage itself (through the agent) last confirmed what the mirror could not; cleared when the PCCO changes.
    public var sageCheckedAt: Date?
    /// How a PCCO Procore sent again after it was Synced differs from what was written (the delivery itself was ignored).
    public var procoreDrift: [String]?

    public init(export: ChangeOrderExport, problems: [ValidationProblem], now: Date) {
        self.id = 0
        self.status = .ready
        self.export = export
        self.problems = problems
        self.drift = []
        self.deliveries = 0
        self.createdAt = now
        self.updatedAt = now
    }

    /// The Procore PCCO id, unique per site.
    public var pccoID: Int { export.pccoID }

    /// Takes the export for `agent`: the one place a claim's rules live, for every storage backend.
    public mutating func claim(by agent: String, now: Date, lease: TimeInterval, purpose: ClaimPurpose) -> ExportEvent {
        let lapsed = (status == .exporting || status == .checking) ? claimedBy : nil
        claimedBy = agent
        claimedUntil = now.addingTimeInterval(lease)
        updatedAt = now
        switch purpose {
        case .write:
            status = .exporting
            deliveries += 1
            let detail = lapsed.map { "delivery \(deliveries); the claim of \($0) had lapsed" } ?? "delivery \(deliveries)"
            return ExportEvent(at: now, actor: "agent", action: "claimed", detail: detail)
        case .check:
            return ExportEvent(at: now, actor: "agent", action: "checking",
                               detail: "asking Sage about what the mirror does not hold" + (lapsed.map { "; the check of \($0) had lapsed" } ?? ""))
        }
    }
}

/// What an agent claims from the queue: accepted exports to write, or exports for Sage to check.
public enum ClaimPurpose: Sendable {
    case write
    case check

    /// The SQL condition (both backends) for the rows this claim may take at `now`.
    ///
    /// A write takes accepted exports and exports whose agent's lease lapsed; a check takes
    /// exports waiting for Sage that no live agent holds.
    public func condition(now: Date) -> String {
        let t = now.timeIntervalSince1970
        switch self {
        case .write: return "(status = 'accepted' OR (status = 'exporting' AND claimed_until < \(t)))"
        case .check: return "(status = 'checking' AND (claimed_until IS NULL OR claimed_until < \(t)))"
        }
    }

    /// The SQL condition for "a long-poll has something to hand out": an export to write, or (when the
    /// agent takes checks) one to check; an agent that does not take checks is never woken for one.
    public static func claimable(now: Date, checks: Bool) -> String {
        checks ? "(\(ClaimPurpose.write.condition(now: now)) OR \(ClaimPurpose.check.condition(now: now)))" : ClaimPurpose.write.condition(now: now)
    }
}

/// One line of an export's audit trail: who did what, when.
public struct ExportEvent: Sendable, Hashable, Codable {
    public var at: Date
    /// A person (`alice`, `alice (cli)`), `agent`, `hub` or `procore`.
    public var actor: String
    /// What happened, e.g. `received`, `accepted`, `claimed`, `written`, `synced`.
    public var action: String
    public var detail: String?

    public init(at: Date, actor: String, action: String, detail: String? = nil) {
        self.at = at
        self.actor = actor
        self.action = action
        self.detail = detail
    }
}

/// How a hub site is linked to its Procore company. The client secret is kept sealed.
public struct ProcoreLink: Sendable, Hashable, Codable {
    /// `erp-requests` (Procore's ERP platform) or `public-api`.
    public enum Style: String, Sendable, Codable, CaseIterable {
        case erpRequests = "erp-requests"
        case publicAPI = "public-api"
    }

    /// Procore's API base, e.g. https://api.procore.com or a local sandbox.
    public var baseURL: String
    public var companyID: Int
    public var clientID: String
    /// The client secret sealed with the hub's secret key (never stored or printed in clear).
    public var sealedSecret: Data
    public var style: Style
    public var pollSeconds: Int
    /// SHA-256 of the token Procore's webhook deliveries carry, if webhooks are set up.
    public var webhookTokenHash: String?
    /// Where the poll left off: the last ERP request id, or the public-API `updated_at` high-water mark.
    public var cursor: String?
    /// ERP requests above the cursor already handled one by one, as their webhooks named them: the next poll of
    /// the list skips them, and they are forgotten once the cursor passes them. Nil reads as none.
    public var handledRequests: [Int]?
    public var lastPollAt: Date?
    public var lastPollError: String?
    /// `--hub-approval`: ERP requests wait for an approver's Accept in the hub too. Procore's ERP flow
    /// sends `create_prime_contract_change_order` only once its accounting approver approved the
    /// export, so by default a valid request goes straight to the agent. Nil reads as false.
    public var hubApproval: Bool?
    /// Public-API style: Procore projects and prime contracts linked to Sage in the hub.
    public var projectLinks: [HubProjectLink]?

    /// Adds ERP requests handled one by one (kept sorted, each once).
    mutating func addHandledRequests(_ ids: [Int]) {
        handledRequests = Array(Set((handledRequests ?? []) + ids)).sorted()
    }

    /// Forgets handled requests the cursor has passed: the list's poll never looks at them again.
    mutating func pruneHandledRequests() {
        guard let handled = handledRequests, let cursor = cursor.flatMap(Int.init) else { return }
        let above = handled.filter { $0 > cursor }
        handledRequests = above.isEmpty ? nil : above
    }

    /// Whether a PCCO from this link still needs the hub's Accept.
    public var needsHubAccept: Bool { style == .publicAPI || hubApproval == true }

    public init(baseURL: String, companyID: Int, clientID: String, sealedSecret: Data, style: Style, pollSeconds: Int,
                webhookTokenHash: String? = nil, cursor: String? = nil) {
        self.baseURL = baseURL
        self.companyID = companyID
        self.clientID = clientID
        self.sealedSecret = sealedSecret
        self.style = style
        self.pollSeconds = pollSeconds
        self.webhookTokenHash = webhookTokenHash
        self.cursor = cursor
    }
}

/// A site with its Procore link, for the hub's poller.
public struct LinkedSite: Sendable, Hashable {
    public var site: HubSite
    public var link: ProcoreLink

    public init(site: HubSite, link: ProcoreLink) {
        self.site = site
        self.link = link
    }
}
