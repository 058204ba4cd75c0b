import Logging
import PostgresNIO
import Synchronization

/// Whether the LISTEN connection is up (LISTEN acknowledged), for tests that must not NOTIFY before it is.
final class ListenerState: Sendable {
    private let up = Atomic<Bool>(false)
    var isListening: Bool { up.load(ordering: .acquiring) }
    func set(_ value: Bool) { up.store(value, ordering: .releasing) }
}

extension PostgresHubStorage {
    /// Holds one pooled connection LISTENing on `tieline_exports` and fans each notification out to this process's
    /// waiters; reconnects after a second when the connection is lost, until cancelled.
    static func listen(_ client: PostgresClient, signal: ExportSignal, state: ListenerState, logger: Logger) async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: exportsChannel) { notifications in
                        state.set(true)
                        defer { state.set(false) }
                        for try await notification in notifications {
                            if let site = Int64(notification.payload) { signal.notify(site: site) }
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("LISTEN on the hub database failed; retrying in 1 s", metadata: ["error": "\(reason(error))"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
