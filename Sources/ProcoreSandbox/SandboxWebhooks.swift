import AsyncHTTPClient
import Foundation
import NIOCore
import Procore
import Synchronization

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

/// Sends deliveries one at a time in order, off the request path; failures are counted, not retried.
final class WebhookSender: Sendable {
    let stream: AsyncStream<(SandboxWebhook, JSONValue)>
    let continuation: AsyncStream<(SandboxWebhook, JSONValue)>.Continuation
    let task: Task<Void, Never>

    init(onResult: @escaping @Sendable (Bool) -> Void) {
        let (stream, continuation) = AsyncStream<(SandboxWebhook, JSONValue)>.makeStream()
        self.stream = stream
        self.continuation = continuation
        task = Task {
            for await (hook, body) in stream {
                var request = HTTPClientRequest(url: hook.url)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.headers.add(name: "Authorization", value: "Bearer \(hook.token)")
                request.body = .bytes(ByteBuffer(string: body.serialized()))
                do {
                    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                    _ = try? await response.body.collect(upTo: 1 << 16)
                    onResult((200..<300).contains(response.status.code))
                } catch {
                    onResult(false)
                }
            }
        }
    }

    func send(_ deliveries: [(SandboxWebhook, JSONValue)]) {
        for delivery in deliveries { continuation.yield(delivery) }
    }

    func stop() {
        continuation.finish()
        task.cancel()
    }
}

/// Delivered / failed webhook counts.
final class SandboxCounters: Sendable {
    private let counts = Mutex((0, 0))

    func record(_ ok: Bool) { counts.withLock { ok ? ($0.0 += 1) : ($0.1 += 1) } }
    var values: (delivered: Int, failed: Int) { counts.withLock { ($0.0, $0.1) } }
}
