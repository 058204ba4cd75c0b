import Hummingbird
import Logging
import NIOCore
import TielineCore

/// Turns errors thrown inside a console into an HTML page with the right status
/// (403 for a refused form or role, 404, 400 for bad input, 500 with details only in the log).
public struct ConsoleErrorMiddleware<Context: ConsoleRequestContext>: RouterMiddleware {
    /// Draws the error page: status, title and the message to show.
    public let page: @Sendable (HTTPResponse.Status, String, Context, Request) -> Response

    public init(page: @escaping @Sendable (HTTPResponse.Status, String, Context, Request) -> Response) {
        self.page = page
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as TielineError {
            let status = Self.status(for: error.code)
            context.logger.info("console request refused", metadata: ["path": "\(request.uri.path)", "code": "\(error.code)"])
            return page(status, error.message, context, request)
        } catch let error as any HTTPResponseError where error.status.code < 500 {
            return page(error.status, error.status.reasonPhrase, context, request)
        } catch {
            // Never show internal errors (SQL, paths) in a page; the log has them.
            context.logger.error("console request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return page(.internalServerError, "Something went wrong on the server; the log has the details.", context, request)
        }
    }

    /// The HTTP status for an error code.
    public static func status(for code: TielineError.Code) -> HTTPResponse.Status {
        switch code.rawValue {
        case "csrf_rejected", "forbidden": .forbidden
        case "host_refused": .misdirectedRequest
        case "unauthorized", "sign_in_failed": .unauthorized
        case "not_found": .notFound
        case "conflict": .conflict
        case "storage_failure", "internal_error": .internalServerError
        default: .badRequest
        }
    }
}
