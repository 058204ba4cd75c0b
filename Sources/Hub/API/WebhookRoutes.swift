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
            bridge.wake(site: site, erpRequest: body.flatMap(Self.erpRequestID))
            context.logger.info("Procore webhook: polling site now", metadata: ["site": "\(site.name)"])
            return JSONBody.response(["status": "polling"], status: .accepted)
        }
    }

    /// The ERP request a delivery names: its `resource_id` when `resource_name` is "ERP Requests" (webhooks_api.md's
    /// payload: event_type, resource_name, resource_id), else nil.
    static func erpRequestID(_ body: ByteBuffer) -> Int? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
              object["resource_name"] as? String == "ERP Requests",
              let id = object["resource_id"] as? Int, id > 0 else { return nil }
        return id
    }
}
