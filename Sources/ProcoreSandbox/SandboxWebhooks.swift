import AsyncHTTPClient
import Foundation
import NIOCore
import Procore
import ServiceLifecycle
import Synchronization
import TielineCore

/// A webhook the sandbox calls like Procore does: POST JSON to `url` with the configured authorization token.
public struct SandboxWebhook: Sendable, Hashable {
    public var url: String
    /// Sent as `Authorization: Bearer TOKEN`.
    public var token: String

    public init(url: String, token: String) {
        self.url = url
        self.token = token
    }
}

extension SandboxWebhook {
    /// The namespace of the hook `ProcoreSandbox.setWebhook` registers.
    static let namespace = "tieline-sandbox"
}

/// Sends deliveries one at a time, in order, off the request path, as plan_your_app/webhooks.md says
/// Procore does: 5 seconds to answer; a failure (non-2xx, timeout, no connection) pauses the queue and is
/// retried with exponential backoff from `retryBase` up to an hour; after 12 hours it is discarded.
final class WebhookSender: Service {
    typealias Result = @Sendable (_ deliveryID: Int, _ status: Int?, _ error: String?, _ outcome: String) -> Void
    let stream: AsyncStream<SandboxOutgoing>
    let continuation: AsyncStream<SandboxOutgoing>.Continuation
    let retryBase: Double
    let onResult: Result

    init(retryBase: Double = 1, onResult: @escaping Result) {
        (stream, continuation) = AsyncStream<SandboxOutgoing>.makeStream()
        self.retryBase = retryBase
        self.onResult = onResult
    }

    /// Delivers until the sandbox's service group shuts down; a retry wait in progress is cancelled then.
    func run() async throws {
        await cancelWhenGracefulShutdown { await self.deliverAll() }
    }

    private func deliverAll() async {
        for await delivery in stream {
            let started = ContinuousClock.now
            let backoff = Backoff(initial: .seconds(max(0.001, retryBase)), maximum: .seconds(3600))
            var attempt = 0
            while !Task.isCancelled {
                attempt += 1
                let wait = backoff.seconds(attempt: attempt)
                let (status, error) = await Self.attempt(delivery)
                if let status, (200..<300).contains(status) {
                    onResult(delivery.deliveryID, status, nil, "ok")
                    break
                }
                if ContinuousClock.now - started + .seconds(wait) > .seconds(12 * 3600) {
                    onResult(delivery.deliveryID, status, error, "discarded")
                    break
                }
                onResult(delivery.deliveryID, status, error, "retried")
                try? await Task.sleep(for: .seconds(wait))
            }
        }
    }

    static func attempt(_ delivery: SandboxOutgoing) async -> (Int?, String?) {
        var request = HTTPClientRequest(url: delivery.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in delivery.headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: delivery.event.serialized()))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            _ = try? await response.body.collect(upTo: 1 << 16)
            return (Int(response.status.code), nil)
        } catch {
            return (nil, "\(error)".clipped(200))
        }
    }

    func send(_ deliveries: [SandboxOutgoing]) {
        for delivery in deliveries { continuation.yield(delivery) }
    }

    func stop() {
        continuation.finish()
    }
}

/// Delivered / failed webhook counts.
final class SandboxCounters: Sendable {
    private let counts = Mutex((0, 0))

    func record(_ ok: Bool) { counts.withLock { ok ? ($0.0 += 1) : ($0.1 += 1) } }
    var values: (delivered: Int, failed: Int) { counts.withLock { ($0.0, $0.1) } }
}
