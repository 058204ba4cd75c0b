import Foundation
import GRDB
import TielineCore

/// Reads the sync engineer's run log (`agent.sqlite`, table `sync_run`) without writing to it.
public struct SyncRunLog: Sendable {
    /// One finished run, as `doctor` reports it.
    public struct Run: Sendable, Hashable, Codable {
        public let id: String
        public let type: String
        public let timeframe: String
        public let finishedAt: String?
    }

    public let url: URL

    public init(home: TielineHome) { url = home.path("agent.sqlite") }

    /// The latest completed Deep run from The beginning of time for `connection`, or nil when
    /// there is none yet (including when the file or table does not exist).
    public func lastCompletedDeepRun(connection: String) throws(TielineError) -> Run? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(2)
        do {
            let queue = try DatabaseQueue(path: url.path, configuration: configuration)
            return try queue.read { db in
                guard try db.tableExists("sync_run") else { return nil }
                let row = try Row.fetchOne(db, sql: """
                    SELECT id, type, timeframe, finished_at FROM sync_run
                    WHERE connection = ? AND type = 'deep' AND timeframe = 'beginning-of-time' AND status = 'completed'
                    ORDER BY finished_at DESC LIMIT 1
                    """, arguments: [connection])
                return row.map { Run(id: $0["id"], type: $0["type"], timeframe: $0["timeframe"], finishedAt: $0["finished_at"]) }
            }
        } catch {
            throw TielineError(.syncLogUnreadable, "cannot read \(url.path): \(error)")
        }
    }
}

extension TielineError.Code {
    public static let syncLogUnreadable = Self("sync_log_unreadable")
}
