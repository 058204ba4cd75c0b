import Foundation

/// One answer to a Procore request about Sage's jobs and prime contracts (a staging, or Procore saying a staged
/// job became a project), kept per site for the hub console: the last `keep` of them.
public struct ProcoreStagingEntry: Sendable, Hashable, Codable {
    /// How many entries a site keeps.
    public static let keep = 10
    /// How many changed records an entry lists; the rest are counted.
    public static let maxChanges = 50

    /// One record the request changed.
    public struct Change: Sendable, Hashable, Codable {
        /// `staged` (new), `updated` (offered again), `archived`, `refused`, or `imported` (create_job_in_procore).
        public var action: String
        /// The Staged Records item type: `project`, `prime_contract`, `line_item`.
        public var itemType: String
        /// The Sage code (Job, Contract, Item) and the origin id sent with it.
        public var originCode: String?
        public var originID: String
        /// Why it was refused, or (imported) the Procore project.
        public var note: String?

        public init(action: String, itemType: String, originCode: String?, originID: String, note: String? = nil) {
            self.action = action
            self.itemType = itemType
            self.originCode = originCode
            self.originID = originID
            self.note = note
        }
    }

    public var at: Date
    /// The ERP request answered: `sync_jobs`, `sync_single_job`, `sync_prime_contracts`, `create_job_in_procore`;
    /// or `stage jobs` / `stage prime contracts` for a public-API site's `hub procore stage`.
    public var event: String
    public var summary: String
    public var failed: Bool
    public var staged = 0, updated = 0, archived = 0, unchanged = 0
    public var changes: [Change] = []
    /// Changed records beyond `maxChanges`, not listed.
    public var moreChanges = 0

    public init(at: Date, event: String, summary: String, failed: Bool) {
        self.at = at
        self.event = event
        self.summary = summary
        self.failed = failed
    }
}
