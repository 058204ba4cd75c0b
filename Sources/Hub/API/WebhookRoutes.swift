import Foundation
import Hummingbird
import TielineCore

/// `POST /procore/webhook`: Procore's webhook deliveries (ERP Requests create events).
///
/// A delivery names its ERP request (`resource_id`); the hub fetches that one request from Procore (Show ERP
/// Request), or polls the site's list when the delivery names none. The body is only a hint: what is acted on is
/// what Procore answers, so a forged or replayed delivery can at most cause an extra read. Procore sends the token configured for the
/// hook as `Authorization: Bearer TOKEN` (or the endpoint URL carries `?token=`); only its hash is stored.
struct WebhookRoutes {
    let storage: any HubStorage
    let bridge: ProcoreBridge?

    func add(to group: RouterGroup<HubRequestContext>) {
        group.post("webhook") { request, context in
            var token = request.uri.queryParameters.get("token").map { String($0) }
            if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
                token = String(header.dropFirst(7)).trimmingWhitespace()
            }
            guard let token, !token.isEmpty, token.count < 200,
                  let site = try await storage.site(forWebhookTokenHash: SiteToken.hash(token)) else {
                throw TielineError(.unauthorized, "unknown webhook token; the hub prints it when a site is linked (tieline hub sites procore SITE ... --webhook)")
            }
            var request = request
            // Bounded; its content only says which request to read from Procore.
            let body = try? await request.collectBody(upTo: 1 << 20)
            guard let bridge else {
                throw TielineError(.conflict, "this hub runs without its Procore bridge; deliveries cannot be acted on")
            }
            let erpRequest = body.flatMap(Self.erpRequestID)
            bridge.wake(site: site, erpRequest: erpRequest)
            context.logger.info(erpRequest == nil ? "Procore webhook: polling site now" : "Procore webhook: fetching its ERP request",
                                metadata: ["site": "\(site.name)", "erp_request": "\(erpRequest.map(String.init) ?? "-")"])
            return JSONBody.response(["status": "polling"], status: .accepted)
        }
    }

    /// The ERP request a delivery names: its `resource_id` when the resource is "ERP Requests", else nil.
    /// Payload v2.0 (what hooks get unless asked otherwise) carries `resource_name` and a numeric `resource_id`;
    /// v4.0 `resource_type` and a string id (plan_your_app/payload_formats.md). erp_technical_guide.md: the event
    /// payload is not included; "use the resource_id found in the Webhook event to fetch the event payload".
    static func erpRequestID(_ body: ByteBuffer) -> Int? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
              (object["resource_name"] ?? object["resource_type"]) as? String == "ERP Requests" else { return nil }
        let id = object["resource_id"] as? Int ?? (object["resource_id"] as? String).flatMap { Int($0) }
        return id.flatMap { $0 > 0 ? $0 : nil }
    }
}
