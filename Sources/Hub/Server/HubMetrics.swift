import Foundation
import Hummingbird

/// The hub's counters, served by `GET /metrics` in Prometheus text format.
///
/// A lock and plain integers rather than a metrics backend: a handful of counters, read
/// rarely, and no registry to bootstrap per test server.
public final class HubMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [String: Int] = [:]
    private var errors: [String: Int] = [:]
    private var batches = 0
    private var duplicateBatches = 0
    private var rowsApplied = 0
    private var rowsRemoved = 0

    public init() {}

    func countRequest(method: String, status: Int) {
        lock.withLock { requests["method=\"\(method)\",status=\"\(status)\"", default: 0] += 1 }
    }

    func countError(_ code: String) {
        lock.withLock { errors["code=\"\(code)\"", default: 0] += 1 }
    }

    func countBatch(applied: Int, duplicate: Bool) {
        lock.withLock {
            batches += 1
            if duplicate { duplicateBatches += 1 } else { rowsApplied += applied }
        }
    }

    func countRemoved(_ rows: Int) {
        lock.withLock { rowsRemoved += rows }
    }

    /// The exposition text.
    public func render() -> String {
        lock.withLock {
            var out = ""
            func family(_ name: String, _ help: String, _ samples: [(String, Int)]) {
                out += "# HELP \(name) \(help)\n# TYPE \(name) counter\n"
                for (labels, value) in samples { out += labels.isEmpty ? "\(name) \(value)\n" : "\(name){\(labels)} \(value)\n" }
            }
            family("tieline_hub_requests_total", "HTTP requests answered, by method and status.", requests.sorted { $0.key < $1.key })
            family("tieline_hub_errors_total", "Requests refused or failed, by error code.", errors.sorted { $0.key < $1.key })
            family("tieline_hub_batches_total", "Sync batches received, duplicates included.", [("", batches)])
            family("tieline_hub_batches_duplicate_total", "Redelivered batches acknowledged without applying.", [("", duplicateBatches)])
            family("tieline_hub_rows_applied_total", "Mirror rows upserted or deleted by batches.", [("", rowsApplied)])
            family("tieline_hub_rows_removed_total", "Mirror rows removed by Deep completions.", [("", rowsRemoved)])
            return out
        }
    }
}

/// Counts every answered request by method and final status.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: HubMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            metrics.countRequest(method: request.method.rawValue, status: response.status.code)
            return response
        } catch {
            metrics.countRequest(method: request.method.rawValue, status: 500)
            throw error
        }
    }
}
