import Foundation
import Procore
import TielineCore

/// An ERP Staged Record (procore/documentation, erp_integration/erp_staged_records.md): what an
/// integration offers for import, shown on "Ready to Import" until an accountant imports it.
struct SandboxStagedRecord: Sendable {
    var id: Int
    var itemType: String
    var originID: String
    var originCode: String?
    var originData: String?
    var parentID: Int?
    /// archived, imported, invalid or staged.
    var status: String
    var data: JSONValue
    var updatedAt: Date
}

extension SandboxData {
    /// Item types the Staged Records API takes (the guide's table).
    static let stagedItemTypes: Set<String> = ["vendor", "project", "sub_job", "prime_contract", "purchase_order_contract",
                                                "work_order_contract", "commitment_change_order", "line_item"]
    static let projectLevelTypes: Set<String> = ["commitment_change_order", "prime_contract", "purchase_order_contract", "sub_job", "work_order_contract"]
    static let lineItemParents: Set<String> = ["commitment_change_order", "prime_contract", "purchase_order_contract", "work_order_contract"]

    /// `/rest/v1.0/companies/{id}/erp_staged_records[/sync|/{id}]` (the guide names `/staged_records`; the full path is
    /// the sandbox's reading of Procore's reference, see README).
    mutating func stagedRecordsRoute(_ s: [String], _ r: SandboxRequest, now: Date) throws(TielineError) -> SandboxReply {
        switch (r.method, s.count) {
        case ("GET", 0):
            var list = stagedRecords
            if let type = r.query["filters[item_type]"] { list = list.filter { $0.itemType == type } }
            if let status = r.query["filters[status]"] { list = list.filter { $0.status == status } }
            if let origin = r.query["filters[origin_id]"] { list = list.filter { $0.originID == origin } }
            return Self.page(list.map(stagedJSON), r)
        case ("POST", 0):
            let record = try upsertStaged(PayloadReader(try r.json, path: "staged_record"), now: now)
            var reply = SandboxReply.ok(stagedJSON(record))
            reply.status = 201
            return reply
        case ("PATCH", 1) where s[0] == "sync":
            // The records may come as a list or wrapped in `staged_records`; each one succeeds or fails on its own.
            let body = try r.json
            let items: [PayloadReader]
            if case .array = body { items = try PayloadReader(body, path: "body").asArray() }
            else { items = try PayloadReader(body, path: "body").array("staged_records") }
            var results: [JSONValue] = []
            for item in items {
                do {
                    results.append(.object(["status": .string("success"), "staged_record": stagedJSON(try upsertStaged(item, now: now))]))
                } catch {
                    results.append(.object(["status": .string("failure"), "origin_id": Self.str(try? item.optionalString("origin_id", maxLength: 200)),
                                            "errors": .string(error.message)]))
                }
            }
            return .ok(.array(results))
        case ("PUT", 1), ("PATCH", 1):
            guard let id = Int(s[0]), stagedRecords.contains(where: { $0.id == id }) else { return .error(404, "staged record not found") }
            return .ok(stagedJSON(try upsertStaged(PayloadReader(try r.json, path: "staged_record"), now: now, id: id)))
        case ("GET", 1):
            guard let record = stagedRecords.first(where: { String($0.id) == s[0] }) else { return .error(404, "staged record not found") }
            return .ok(stagedJSON(record))
        default:
            return .error(404, "no route for \(r.method) \(r.path)")
        }
    }

    /// Creates or updates (by item type and origin id, or by `id`) one staged record, with the guide's rules.
    mutating func upsertStaged(_ r: PayloadReader, now: Date, id fixedID: Int? = nil) throws(TielineError) -> SandboxStagedRecord {
        let type = try r.string("item_type")
        guard Self.stagedItemTypes.contains(type) else {
            throw TielineError(.invalidInput, "\(r.path).item_type: '\(type.clipped(40))' is not a staged record type")
        }
        let originID = try r.string("origin_id", maxLength: 255, allowEmpty: false)
        let status = try r.optionalString("status", maxLength: 20) ?? "staged"
        guard ["archived", "imported", "invalid", "staged"].contains(status) else {
            throw TielineError(.invalidInput, "\(r.path).status: '\(status.clipped(20))' is not archived, imported, invalid or staged")
        }
        let data = try r.optional("data")?.value ?? .object([:])
        let dataReader = PayloadReader(data, path: "\(r.path).data")
        if Self.projectLevelTypes.contains(type) {
            let project = try dataReader.string("project_origin_id", maxLength: 255, allowEmpty: false)
            let known = stagedRecords.contains { $0.itemType == "project" && $0.originID == project } || projects.contains { $0.originID == project }
            guard known else { throw TielineError(.invalidInput, "\(r.path).data.project_origin_id: '\(project.clipped(60))' is neither a staged nor a synced project") }
        }
        var parentID = try r.optionalInt("parent_id")
        if type == "line_item" {
            if parentID == nil, let parentOrigin = try r.optionalString("parent_origin_id", maxLength: 255) {
                parentID = stagedRecords.first { $0.originID == parentOrigin && Self.lineItemParents.contains($0.itemType) }?.id
            }
            guard let parent = parentID, let p = stagedRecords.first(where: { $0.id == parent }), Self.lineItemParents.contains(p.itemType) else {
                throw TielineError(.invalidInput, "\(r.path): a line_item needs parent_id or parent_origin_id of a staged contract or change order")
            }
        }
        let index = fixedID.flatMap { id in stagedRecords.firstIndex { $0.id == id } }
            ?? stagedRecords.firstIndex { $0.itemType == type && $0.originID == originID }
        var record = SandboxStagedRecord(id: index.map { stagedRecords[$0].id } ?? newID(), itemType: type, originID: originID,
                                         originCode: try r.optionalString("origin_code", maxLength: 255),
                                         originData: try r.optionalString("origin_data", maxLength: 10_000),
                                         parentID: parentID, status: status, data: data, updatedAt: now)
        if let index {
            // Back to staged: the children follow, except those archived (erp_staged_records.md, statuses pt 3).
            if status == "staged", stagedRecords[index].status != "staged" {
                for i in stagedRecords.indices where stagedRecords[i].parentID == record.id && stagedRecords[i].status != "archived" {
                    stagedRecords[i].status = "staged"
                }
            }
            stagedRecords[index] = record
        } else {
            record.updatedAt = now
            stagedRecords.append(record)
        }
        return record
    }

    /// "Ready to Import": staged records; project-level ones only once their project is synced.
    var readyToImport: [SandboxStagedRecord] {
        stagedRecords.filter { record in
            guard record.status == "staged", record.itemType != "line_item" else { return false }
            guard Self.projectLevelTypes.contains(record.itemType) else { return true }
            let project = PayloadReader(record.data).optionalStringValue("project_origin_id")
            return projects.contains { $0.originID == project }
        }
    }

    /// Imports a staged project or prime contract (with its line items) as the accountant's Import would.
    mutating func importStaged(_ id: Int, now: Date) throws(TielineError) -> JSONValue {
        guard let index = stagedRecords.firstIndex(where: { $0.id == id }) else { throw TielineError(.notFound, "staged record \(id) not found") }
        let record = stagedRecords[index]
        guard readyToImport.contains(where: { $0.id == id }) else {
            throw TielineError(.conflict, "staged record \(id) is not on Ready to Import (status \(record.status))")
        }
        let data = PayloadReader(record.data, path: "data")
        var result: JSONValue
        switch record.itemType {
        case "project":
            var project = SandboxProject(id: newID(), name: data.optionalStringValue("name") ?? record.originCode ?? record.originID,
                                         originID: record.originID, originCode: record.originCode)
            if let existing = projects.firstIndex(where: { $0.originID == record.originID }) {
                project.id = projects[existing].id
                projects[existing] = project
            } else {
                projects.append(project)
                // ERP Events Dictionary: Add to Procore on a staged job sends create_job_in_procore (no request
                // detail, nothing required back). A re-import of an updated job is no new project: no event.
                let origin: JSONValue = .object(["id": Self.num(project.id), "name": .string(project.name), "origin_id": Self.str(project.originID),
                                                 "origin_data": Self.str(record.originData), "origin_code": Self.str(project.originCode)])
                _ = enqueueERPRequest(name: "create_job_in_procore", data: .object(["project": origin, "company_id": Self.num(companyID)]),
                                      requestDetailID: nil, projectID: project.id, now: now)
            }
            result = projectJSON(project)
        case "prime_contract":
            let projectOrigin = data.optionalStringValue("project_origin_id")
            guard let project = projects.first(where: { $0.originID == projectOrigin }) else {
                throw TielineError(.conflict, "the contract's project is not synced yet")
            }
            var items: [SandboxContractItem] = []
            // Line items in the order of their codes (Sage's item numbers), whatever order they were staged in.
            let children = stagedRecords.filter { $0.parentID == record.id && $0.itemType == "line_item" && $0.status != "archived" }
                .sorted { ($0.originCode ?? "", $0.id) < ($1.originCode ?? "", $1.id) }
            for child in children {
                let d = PayloadReader(child.data, path: "line_item")
                let amount = try Money(parsing: d.optionalStringValue("amount") ?? "0.00", field: "line_item.amount")
                let code = d.optionalStringValue("cost_code") ?? ""
                let costCode = self.costCode(projectID: project.id, fullCode: code, name: d.optionalStringValue("cost_code_name") ?? code)
                let typeCode = d.optionalStringValue("line_item_type") ?? "O"
                let type = lineItemType(code: typeCode, name: typeCode)
                items.append(SandboxContractItem(id: newID(), description: d.optionalStringValue("description") ?? child.originCode ?? "",
                                                 amount: amount, originCode: child.originCode, costCodeID: costCode, lineItemTypeID: type))
            }
            let contract = SandboxPrimeContract(id: contracts.first { $0.originID == record.originID }?.id ?? newID(), projectID: project.id,
                                                number: record.originCode ?? record.originID,
                                                title: data.optionalStringValue("title") ?? record.originCode ?? "", status: "Approved",
                                                originID: record.originID, originCode: record.originCode, items: items, importedFrom: record.id)
            contracts.removeAll { $0.originID == record.originID }
            contracts.append(contract)
            result = contractJSON(contract, items: true)
        default:
            throw TielineError(.invalidInput, "the sandbox imports projects and prime contracts, not \(record.itemType)")
        }
        for i in stagedRecords.indices where stagedRecords[i].id == id || (stagedRecords[i].parentID == id && stagedRecords[i].status != "archived") {
            stagedRecords[i].status = "imported"
        }
        return result
    }

    /// Imports everything on Ready to Import, projects first (their contracts appear once they are synced).
    mutating func importAll(now: Date) throws(TielineError) -> Int {
        var count = 0
        while let next = readyToImport.sorted(by: { ($0.itemType == "project" ? 0 : 1, $0.id) < ($1.itemType == "project" ? 0 : 1, $1.id) }).first {
            _ = try importStaged(next.id, now: now)
            count += 1
        }
        return count
    }

    func stagedJSON(_ s: SandboxStagedRecord) -> JSONValue {
        .object(["id": Self.num(s.id), "item_type": .string(s.itemType), "origin_id": .string(s.originID), "origin_code": Self.str(s.originCode),
                 "origin_data": Self.str(s.originData), "parent_id": s.parentID.map(Self.num) ?? .null, "status": .string(s.status),
                 "data": s.data, "updated_at": Self.iso(s.updatedAt)])
    }
}

extension PayloadReader {
    /// A string member, or nil when absent or not a string (for the sandbox's lenient reading of `data`).
    func optionalStringValue(_ key: String) -> String? {
        if case .object(let fields) = value, case .string(let text)? = fields[key] { return text }
        return nil
    }
}
