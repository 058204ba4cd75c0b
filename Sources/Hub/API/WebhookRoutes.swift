import Foundation
import Hummingbird
import TielineCore

/// `POST /procore/webhook`: Procore's webhook deliveries (ERP Requests create events).
///
/// A delivery only says "something new"; the hub then polls that site at once, so a forged or
/// replayed delivery can at most cause an extra poll. Procore sends the token configured for the
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
            // The body is read (and bounded) only so the connection stays healthy; its content is not trusted.
            _ = try? await request.collectBody(upTo: 1 << 20)
            guard let bridge else {
                throw TielineError(.conflict, "this hub runs without its Procore bridge; deliveries cannot be acted on")
            }
            bridge.wake(site: site)
            context.logger.info("Procore webhook: polling site now", metadata: ["site": "\(site.name)"])
            return JSONBody.response(["status": "polling"], status: .accepted)
        }
    }
}
