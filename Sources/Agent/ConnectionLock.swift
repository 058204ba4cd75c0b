import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TielineCore

/// Keeps two syncs of one connection (the agent service and a manual `sync run`) from
/// interleaving batches of the same run. The OS drops the lock if the process dies.
final class ConnectionLock: Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    /// Takes the lock of `connection` in `folder`, or fails at once naming who holds it.
    static func acquire(folder: URL, connection: String) throws(TielineError) -> ConnectionLock {
        // Hex of the name: any connection name makes a valid, distinct file name.
        let name = connection.utf8.map { String(format: "%02x", $0) }.joined()
        let path = folder.appendingPathComponent("sync-\(name).lock").path
        let descriptor = open(path, O_CREAT | O_RDWR, 0o600)
        guard descriptor >= 0 else {
            throw TielineError(.agentState, "cannot create the lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw TielineError(.syncInProgress,
                "a sync of connection '\(connection)' is already running (tieline agent run or another tieline sync run); wait for it to finish or stop it")
        }
        return ConnectionLock(descriptor: descriptor)
    }

    deinit {
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

extension TielineError.Code {
    public static let syncInProgress = Self("sync_in_progress")
}
