import Foundation
import TielineCore

/// Registering the hub's webhook with Procore's Webhooks API (procore/documentation,
/// plan_your_app/webhooks_api.md): a company-level hook in Tieline's namespace whose destination is
/// the hub, with the hub's token in its headers, and a trigger on ERP Requests create events.
extension ProcoreIntake {
    /// Tieline's namespace (lowercase, digits and dashes, one per integration, as the docs require).
    public static let webhookNamespace = "tieline-hub"

    /// Creates the hook and its trigger, replacing any earlier hook of Tieline's for the same destination;
    /// returns the hook's id.
    @discardableResult
    public func registerWebhook(destination: String, token: String) async throws -> Int {
        let company = [("company_id", String(companyID))]
        let hooks = try await client.getAll("/rest/v1.0/webhooks/hooks", query: company + [("namespace", Self.webhookNamespace)])
        for (i, hook) in hooks.enumerated() {
            let reader = PayloadReader(hook, path: "hooks[\(i)]")
            guard try reader.optionalString("destination_url", maxLength: 2048) == destination else { continue }
            _ = try await client.send(.DELETE, "/rest/v1.0/webhooks/hooks/\(try reader.int("id"))", query: company)
        }
        let created = try await client.send(.POST, "/rest/v1.0/webhooks/hooks", json: .object([
            "company_id": .number(String(companyID)),
            "hook": .object(["api_version": .string("v2"), "namespace": .string(Self.webhookNamespace),
                             "destination_url": .string(destination),
                             "destination_headers": .object(["Authorization": .string("Bearer \(token)")])]),
        ]))
        let hookID = try PayloadReader(try created.json(context: "created hook"), path: "hook").int("id")
        _ = try await client.send(.POST, "/rest/v1.0/webhooks/hooks/\(hookID)/triggers", json: .object([
            "company_id": .number(String(companyID)), "api_version": .string("v2"),
            "trigger": .object(["resource_name": .string("ERP Requests"), "event_type": .string("create")]),
        ]))
        return hookID
    }
}
