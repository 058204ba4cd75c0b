import Foundation
import GRDB
import Hummingbird
import NIOCore
import SyncCore
import TielineCore

extension TielineError.Code {
    /// No, an unknown, or a revoked agent token.
    public static let unauthorized = WireErrorCode.unauthorized.code
    /// A valid token asking for something its site may not do.
    public static let forbidden = WireErrorCode.forbidden.code
    /// A batch whose header and rows disagree (key not among the columns, wrong row width, ...).
    public static let invalidBatch = WireErrorCode.invalidBatch.code
    /// A request body over the endpoint's limit.
    public static let payloadTooLarge = WireErrorCode.payloadTooLarge.code
    /// A body in a content type the endpoint does not take.
    public static let unsupportedMediaType = WireErrorCode.unsupportedMediaType.code
    /// A storage failure the caller cannot fix; details are in the hub's log only.
    public static let storageFailure = WireErrorCode.storageFailure.code
    /// Anything else unexpected.
    public static let internalError = WireErrorCode.internalError.code
}

/// The HTTP status each error code answers with.
enum HubErrorStatus {
    static func status(for code: TielineError.Code) -> HTTPResponse.Status {
        switch code {
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .payloadTooLarge, .wireTooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .storageFailure, .internalError: .internalServerError
        default: .badRequest  // wire_*, invalid_batch, invalid_input, invalid_date, ...
        }
    }

    /// The code for a status Hummingbird produced itself (unknown route, body too large).
    static func code(for status: HTTPResponse.Status) -> TielineError.Code {
        switch status.code {
        case 401: .unauthorized
        case 403: .forbidden
        case 404: .notFound
        case 405: WireErrorCode.methodNotAllowed.code
        case 409: .conflict
        case 413: .payloadTooLarge
        case 415: .unsupportedMediaType
        case 400..<500: .invalidInput
        default: .internalError
        }
    }
}

/// The JSON error body every failure answers with: `{"error":{"code":..,"message":..}}`.
struct ErrorBody: Codable, Sendable {
    struct Detail: Codable, Sendable {
        var code: String
        var message: String
    }
    var error: Detail

    init(_ error: TielineError) {
        self.error = Detail(code: error.code.rawValue, message: error.message)
    }
}

/// Turns every thrown error into the JSON error body and its status, and counts it.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: HubMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let failure = Self.tielineError(error)
            let status = HubErrorStatus.status(for: failure.code)
            metrics.countError(failure.code.rawValue)
            if status.code >= 500 {
                context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            } else {
                // A refused request is the client's problem, not the hub's: at info a scanner or a stale agent would drown the log.
                context.logger.debug("request refused", metadata: ["path": "\(request.uri.path)", "code": "\(failure.code)"])
            }
            return JSONBody.response(ErrorBody(failure), status: status)
        }
    }

    static func tielineError(_ error: any Error) -> TielineError {
        if let error = error as? TielineError { return error }
        if error is NIOTooManyBytesError {
            return TielineError(.payloadTooLarge, "request body is larger than this endpoint accepts")
        }
        if let error = error as? HTTPError {
            return TielineError(HubErrorStatus.code(for: error.status), error.body ?? error.status.reasonPhrase)
        }
        if let error = error as? any HTTPResponseError {
            let code = HubErrorStatus.code(for: error.status)
            return TielineError(code, code == .payloadTooLarge ? "request body is larger than this endpoint accepts" : error.status.reasonPhrase)
        }
        // A database that cannot store (disk full, I/O, read-only) is the documented storage_failure; the cause goes to the log only.
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_FULL: return TielineError(.storageFailure, "the hub's database is full (no space left on its disk); details are in the hub's log")
            case .SQLITE_IOERR, .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_CORRUPT, .SQLITE_NOTADB, .SQLITE_BUSY, .SQLITE_LOCKED:
                return TielineError(.storageFailure, "the hub's database failed to store this request (\(error.resultCode)); details are in the hub's log")
            default: break
            }
        }
        // Never echo internal errors (SQL, paths) to the caller; the log has them.
        return TielineError(.internalError, "the hub failed to handle this request; see the hub's log")
    }
}
