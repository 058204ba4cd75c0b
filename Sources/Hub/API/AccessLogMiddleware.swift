import Foundation
import Hummingbird
import Logging

/// One access-log line per request (`GET /v1/mirror/job 200 3ms`), at debug level so it never drowns the hub's own messages.
///
/// The path is logged without its query string: tokens arrive there (`/procore/webhook?token=`, a
/// client's refused `?access_token=`), and logs must never hold a secret.
struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    var level: Logger.Level = .debug

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context: context, status: response.status.code, since: start)
            return response
        } catch {
            log(request, context: context, status: (error as? any HTTPResponseError)?.status.code ?? 500, since: start)
            throw error
        }
    }

    func log(_ request: Request, context: Context, status: Int, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.log(level: level, "\(request.method) \(Self.redacted(request.uri.path)) \(status) \(String(format: "%.0f", ms))ms")
    }

    /// The path alone, capped: never the query string.
    static func redacted(_ path: String) -> String { String(path.prefix(300)) }
}
