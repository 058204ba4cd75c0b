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
/// retried with exponential backoff from `retryBase` up to an hour; after 12 hours of continuous failure
/// "the queue is flushed and the queued events are marked discarded" — the failing delivery and every
/// event queued behind it for the same hook. Waits and the 12 hours are on the sandbox's clock, so a
/// `VirtualClock` test sees the whole schedule at once.
final class WebhookSender: Service {
    /// `outcome`: ok, retried, discarded (the 12 hours ran out on this delivery's attempts) or flushed
    /// (queued behind it, discarded without an attempt).
    typealias Result = @Sendable (_ deliveryID: Int, _ status: Int?, _ error: String?, _ outcome: String) -> Void
    /// Wakes the sender when `queue` gets work.
    let wake: AsyncStream<Void>
    let continuation: AsyncStream<Void>.Continuation
    let queue = Mutex<[SandboxOutgoing]>([])
    let retryBase: Double
    let clock: any TielineClock
    let onResult: Result
    /// Procore discards after 12 hours of continuous failure.
    static let discardAfter = 12.0 * 3600

    init(retryBase: Double = 1, clock: any TielineClock = SystemClock(), onResult: @escaping Result) {
        (wake, continuation) = AsyncStream<Void>.makeStream()
        self.retryBase = retryBase
        self.clock = clock
        self.onResult = onResult
    }

    /// Delivers until the sandbox's service group shuts down; a retry wait in progress is cancelled then.
    func run() async throws {
        await cancelWhenGracefulShutdown { await self.deliverAll() }
    }

    private func deliverAll() async {
        for await _ in wake {
            while !Task.isCancelled, let delivery = queue.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
                await deliver(delivery)
            }
        }
    }

    private func deliver(_ delivery: SandboxOutgoing) async {
        let started = clock.now()
        let backoff = Backoff(initial: .seconds(max(0.001, retryBase)), maximum: .seconds(3600))
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            let (status, error) = await Self.attempt(delivery)
            if let status, (200..<300).contains(status) {
                onResult(delivery.deliveryID, status, nil, "ok")
                return
            }
            let wait = backoff.seconds(attempt: attempt)
            if clock.now().timeIntervalSince(started) + wait > Self.discardAfter {
                onResult(delivery.deliveryID, status, error, "discarded")
                let flushed = queue.withLock { queue in
                    let behind = queue.filter { $0.hookID == delivery.hookID }
                    queue.removeAll { $0.hookID == delivery.hookID }
                    return behind
                }
                for event in flushed {
                    onResult(event.deliveryID, nil, "flushed with the queue after 12 hours of failed deliveries", "flushed")
                }
                return
            }
            onResult(delivery.deliveryID, status, error, "retried")
            do { try await clock.sleep(for: .seconds(wait)) } catch { return }
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
        queue.withLock { $0 += deliveries }
        continuation.yield()
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
