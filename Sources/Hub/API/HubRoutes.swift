import Foundation
import Hummingbird
import SyncCore
import TielineCore

/// The hub's routes: open `/health` and `/metrics`, Procore's webhook behind its own token, everything under `/v1` behind an agent token.
enum HubRoutes {
    static func router(storage: any HubStorage, metrics: HubMetrics, configuration: HubConfiguration, queue: ExportQueue,
                       bridge: ProcoreBridge?) -> Router<HubRequestContext> {
        let router = Router(context: HubRequestContext.self)
        router.add(middleware: MetricsMiddleware<HubRequestContext>(metrics: metrics))
        // Outside the error middleware, so it logs the status the caller actually got.
        router.add(middleware: AccessLogMiddleware<HubRequestContext>())
        router.add(middleware: ErrorMiddleware<HubRequestContext>(metrics: metrics))
        router.get("health") { _, _ in JSONBody.response(["status": "ok"]) }
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        WebhookRoutes(storage: storage, bridge: bridge).add(to: router.group("procore"))
        let v1 = router.group("v1").add(middleware: AuthMiddleware(storage: storage))
        v1.get("site") { _, context in JSONBody.response(["site": try context.requireSite().name]) }
        SyncRoutes(storage: storage, metrics: metrics, maxBatchBytes: configuration.maxBatchBytes, queue: queue,
                   gate: BatchGate(limit: configuration.batchesAtOnce, byteBudget: configuration.maxBatchBytes)).add(to: v1.group("sync/runs"))
        ExportRoutes(queue: queue).add(to: v1.group("exports"))
        MirrorRoutes(storage: storage).add(to: v1.group("mirror"))
        return router
    }
}
