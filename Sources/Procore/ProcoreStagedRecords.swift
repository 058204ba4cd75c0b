import Foundation
import TielineCore

/// ERP Staged Records (procore/documentation, erp_integration/erp_staged_records.md): what the hub offers
/// Procore for import. The guide names the operations (`POST /staged_records`, `PUT /staged_records/:id`,
/// `PATCH /staged_records/sync`) but not their full paths; Tieline uses them under the company, like the
/// other ERP endpoints (README: where Procore's public docs are silent).
extension ProcoreIntake {
    /// The company's staged records of `itemType`, as (origin id → record).
    public func stagedRecords(itemType: String) async throws -> [String: JSONValue] {
        let rows = try await client.getAll("/rest/v1.0/companies/\(companyID)/erp_staged_records", query: [("filters[item_type]", itemType)])
        var records: [String: JSONValue] = [:]
        for (i, row) in rows.enumerated() {
            records[try PayloadReader(row, path: "staged_records[\(i)]").string("origin_id", maxLength: 255)] = row
        }
        return records
    }

    /// Creates or updates staged records in one call; returns the failures' messages (origin id: reason).
    public func syncStagedRecords(_ records: [JSONValue]) async throws -> [String] {
        guard !records.isEmpty else { return [] }
        let answer = try await client.send(.PATCH, "/rest/v1.0/companies/\(companyID)/erp_staged_records/sync", json: .array(records))
        guard case .array(let results) = try answer.json(context: "staged records sync") else { return [] }
        return results.compactMap { result in
            let r = PayloadReader(result, path: "result")
            guard (try? r.optionalString("status")) == "failure" else { return nil }
            let origin = (try? r.optionalString("origin_id", maxLength: 255)) ?? "?"
            return "\(origin): \((try? r.optionalString("errors", maxLength: 2000)) ?? "refused")"
        }
    }
}
