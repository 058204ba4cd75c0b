import Foundation
import Procore
import SyncCore
import TielineCore

/// Answers Procore's staging requests (sync_jobs, sync_single_job, sync_prime_contracts) from the site's
/// mirror: Sage jobs become staged projects, CN contracts staged prime contracts with their items as line
/// items. Origin ids are the Sage records' Row_IDs, so they stay the same across syncs; only what is new
/// or changed is sent, and what Sage no longer has is archived.
struct ProcoreStaging {
    let storage: any HubStorage
    let site: HubSite

    /// A mirror row by column name.
    typealias Row = [String: SyncValue]

    /// What staging did, for the request detail and the log.
    struct Outcome: Sendable {
        var staged = 0, updated = 0, archived = 0, unchanged = 0
        var failures: [String] = []
        /// The records sent (new, updated, archived, refused), for the console's staging history.
        var changes: [ProcoreStagingEntry.Change] = []
        var moreChanges = 0

        mutating func note(_ action: String, _ record: JSONValue) {
            guard changes.count < ProcoreStagingEntry.maxChanges else { moreChanges += 1; return }
            guard case .object(let f) = record, case .string(let type)? = f["item_type"], case .string(let origin)? = f["origin_id"] else { return }
            var code: String?
            if case .string(let c)? = f["origin_code"] { code = c }
            changes.append(.init(action: action, itemType: type, originCode: code, originID: origin))
        }

        var summary: String {
            "\(counted(staged, "new record")) staged, \(updated) updated, \(archived) archived, \(unchanged) unchanged"
                + (failures.isEmpty ? "" : "; \(counted(failures.count, "record")) refused: " + failures.prefix(5).joined(separator: "; "))
        }
    }

    func run(_ request: StagingRequest, intake: ProcoreIntake) async throws -> Outcome {
        let jobs = try await rows(EntityCatalog.job)
        guard !jobs.isEmpty else {
            throw TielineError(.notFound, "the hub's mirror holds no Sage jobs yet: tick Job (CV) in Advanced Mappings and run a sync first")
        }
        let jobOrigins = Dictionary(jobs.map { (Self.text($0["Job"]) ?? "", Self.origin($0, EntityCatalog.job, key: ["Job"])) }, uniquingKeysWith: { a, _ in a })
        var outcome = Outcome()
        switch request.kind {
        case .jobs:
            var wanted: [String: JSONValue] = [:]
            for job in jobs {
                let origin = Self.origin(job, EntityCatalog.job, key: ["Job"])
                if let only = request.projectOriginID, only != origin { continue }
                wanted[origin] = Self.record(type: "project", origin: origin, code: Self.text(job["Job"]),
                                             data: ["name": .string(Self.text(job["Description"]) ?? Self.text(job["Job"]) ?? ""),
                                                    "status": .string(Self.text(job["Status"]) ?? "")])
            }
            try await sync(wanted, existing: try await intake.stagedRecords(itemType: "project"), intake: intake, archiveMissing: request.projectOriginID == nil, into: &outcome)
        case .primeContracts:
            let contracts = try await rows(EntityCatalog.contract)
            let itemsByContract = Dictionary(grouping: try await rows(EntityCatalog.contractItem)) { Self.text($0["Contract"]) ?? "" }
            var wanted: [String: JSONValue] = [:]
            var children: [String: JSONValue] = [:]
            for contract in contracts {
                guard let job = Self.text(contract["Job"]), let project = jobOrigins[job] else { continue }
                let origin = Self.origin(contract, EntityCatalog.contract, key: ["Contract"])
                wanted[origin] = Self.record(type: "prime_contract", origin: origin, code: Self.text(contract["Contract"]),
                                             data: ["project_origin_id": .string(project), "title": .string(Self.text(contract["Description"]) ?? ""),
                                                    "status": .string(Self.text(contract["Status"]) ?? "")])
                for item in itemsByContract[Self.text(contract["Contract"]) ?? ""] ?? [] {
                    let itemOrigin = Self.origin(item, EntityCatalog.contractItem, key: ["Contract", "Item"])
                    children[itemOrigin] = Self.lineItem(origin: itemOrigin, code: Self.text(item["Item"]), parent: origin, data: [
                        "description": .string(Self.text(item["Description"]) ?? ""),
                        "amount": .string(Self.money(item["Revised_Scheduled_Value"] ?? item["Original_Scheduled_Value"]).description),
                        "cost_code": .string(Self.text(item["Cost_Code"]) ?? ""), "line_item_type": Self.text(item["Category"]).map { .string($0) } ?? .null,
                    ])
                }
            }
            // Quick-bill jobs bill without a CN contract: their prime contract is the job's billing structure —
            // one line per cost code with a scheduled value (billing level Cost code), or one line for the job.
            let quickBillItems = Dictionary(grouping: try await rows(EntityCatalog.quickBillContractItem)) { Self.text($0["Job"]) ?? "" }
            for job in try await rows(EntityCatalog.quickBillContract) {
                guard let code = Self.text(job["Job"]), let project = jobOrigins[code] else { continue }
                let origin = "qb-" + Self.origin(job, EntityCatalog.quickBillContract, key: ["Job"])
                wanted[origin] = Self.record(type: "prime_contract", origin: origin, code: code,
                                             data: ["project_origin_id": .string(project), "title": .string(Self.text(job["Description"]) ?? code),
                                                    "billing": .string("quick bill")])
                let lines: [(String, String?, String, Money)]
                if Self.text(job["Billing_Level"]) == "Cost code" {
                    lines = (quickBillItems[code] ?? []).map { item in
                        (Self.origin(item, EntityCatalog.quickBillContractItem, key: ["Job", "Extra", "Cost_Code"]), Self.text(item["Cost_Code"]),
                         Self.text(item["Description"]) ?? "", Self.money(item["Revised_Scheduled_Value"] ?? item["Original_Scheduled_Value"]))
                    }
                } else {
                    lines = [("qb-line-" + origin, code, Self.text(job["Description"]) ?? code,
                              Self.money(job["Revised_Contract_Amount"] ?? job["Original_Contract_Amount"]))]
                }
                for (lineOrigin, costCode, description, amount) in lines {
                    children[lineOrigin] = Self.lineItem(origin: lineOrigin, code: costCode, parent: origin, data: [
                        "description": .string(description), "amount": .string(amount.description),
                        "cost_code": costCode.map { .string($0) } ?? .null, "line_item_type": .null,
                    ])
                }
            }
            // A contract whose items are new or changed is offered again as a whole (an update to re-import).
            let existingItems = try await intake.stagedRecords(itemType: "line_item")
            var resend: Set<String> = []
            for (origin, item) in children where !(existingItems[origin].map { Self.same(item, $0) } ?? false) {
                if case .object(let f) = item, case .string(let parent)? = f["parent_origin_id"] { resend.insert(parent) }
            }
            // Parents first: a line item names its contract by origin id.
            try await sync(wanted, existing: try await intake.stagedRecords(itemType: "prime_contract"), resend: resend, intake: intake,
                           archiveMissing: true, into: &outcome)
            try await sync(children, existing: existingItems, intake: intake, archiveMissing: true, into: &outcome)
        }
        return outcome
    }

    /// Sends what is new or changed, and archives what is staged but no longer in Sage.
    /// `resend` names records sent again even when unchanged themselves (a contract whose items changed).
    func sync(_ wanted: [String: JSONValue], existing: [String: JSONValue], resend: Set<String> = [], intake: ProcoreIntake,
              archiveMissing: Bool, into outcome: inout Outcome) async throws {
        var send: [JSONValue] = []
        for (origin, record) in wanted.sorted(by: { $0.key < $1.key }) {
            guard let current = existing[origin] else {
                send.append(record)
                outcome.staged += 1
                outcome.note("staged", record)
                continue
            }
            if Self.same(record, current) && !resend.contains(origin) {
                outcome.unchanged += 1
            } else {
                // An imported record that changed in Sage is offered again (staged), as an update.
                send.append(record)
                outcome.updated += 1
                outcome.note("updated", record)
            }
        }
        if archiveMissing {
            for (origin, current) in existing.sorted(by: { $0.key < $1.key }) where wanted[origin] == nil {
                guard case .object(var fields) = current, fields["status"] != .string("archived") else { continue }
                fields["status"] = .string("archived")
                let record = JSONValue.object(fields.filter { ["item_type", "origin_id", "origin_code", "origin_data", "parent_id", "status", "data"].contains($0.key) })
                send.append(record)
                outcome.archived += 1
                outcome.note("archived", record)
            }
        }
        let failures = try await intake.syncStagedRecords(send)
        outcome.failures += failures
        // "origin id: reason" (ProcoreIntake.syncStagedRecords): the listed record shows it was refused, and why.
        for failure in failures {
            guard let split = failure.range(of: ": ") else { continue }
            let origin = String(failure[..<split.lowerBound])
            if let i = outcome.changes.lastIndex(where: { $0.originID == origin }) {
                outcome.changes[i].action = "refused"
                outcome.changes[i].note = String(failure[split.upperBound...])
            }
        }
    }

    /// Whether the staged record already says what Sage says: staged or imported, with the same code and data.
    static func same(_ wanted: JSONValue, _ current: JSONValue) -> Bool {
        guard case .object(let w) = wanted, case .object(let c) = current,
              c["status"] == .string("staged") || c["status"] == .string("imported") else { return false }
        return w["origin_code"] == c["origin_code"] && w["data"] == c["data"]
    }

    /// A staged line item under the contract whose origin id is `parent`.
    static func lineItem(origin: String, code: String?, parent: String, data: [String: JSONValue]) -> JSONValue {
        guard case .object(var fields) = record(type: "line_item", origin: origin, code: code, data: data) else { return .null }
        fields["parent_origin_id"] = .string(parent)
        return .object(fields)
    }

    static func record(type: String, origin: String, code: String?, data: [String: JSONValue]) -> JSONValue {
        .object(["item_type": .string(type), "origin_id": .string(origin), "origin_code": code.map { .string($0) } ?? .null,
                 "origin_data": .null, "status": .string("staged"), "data": .object(data)])
    }

    /// Every mirrored row of `entity`.
    func rows(_ entity: SyncEntity) async throws -> [Row] {
        var result: [Row] = []
        var page = 1
        while true {
            let chunk = try await storage.mirrorRows(entity: entity.name, key: [], page: page, perPage: 2000, site: site)
            for row in chunk.rows { result.append(Dictionary(row, uniquingKeysWith: { a, _ in a })) }
            if chunk.rows.count < 2000 { return result }
            page += 1
        }
    }

    /// The record's Row_ID, or (from an agent that sends none) its natural key, stable either way.
    static func origin(_ row: Row, _ entity: SyncEntity, key: [String]) -> String {
        if let id = text(row["Row_ID"]), !id.isEmpty { return id }
        return "sage:" + entity.table.name + ":" + key.map { text(row[$0]) ?? "" }.joined(separator: "/")
    }

    static func text(_ value: SyncValue?) -> String? {
        switch value {
        case .text(let s): s
        case .integer(let n): String(n)
        default: nil
        }
    }

    static func money(_ value: SyncValue?) -> Money {
        if case .integer(let cents) = value { return Money(cents: cents) }
        return .zero
    }
}
