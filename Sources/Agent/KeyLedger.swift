import Foundation
import GRDB
import SyncCore
import TielineCore

/// The keys the agent has sent to the hub for a source that keeps no record of deletions (ODBC).
///
/// A real Sage company does not say what was deleted. The ledger holds every key sent as an
/// upsert (recorded before the batch leaves, so the hub never holds a key the ledger lacks); a key
/// scan reads Sage's keys now, and ledger keys Sage no longer has are deletions. All on disk in
/// agent.sqlite, so memory stays flat at any table size.
extension AgentState {
    /// Registered by `AgentState.migrator` after the export plans.
    static func registerKeyLedger(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3: key ledger for sources without deletion records") { db in
            try db.execute(sql: """
                CREATE TABLE source_key(
                  connection TEXT NOT NULL,
                  entity TEXT NOT NULL,
                  key TEXT NOT NULL,
                  PRIMARY KEY(connection, entity, key)) WITHOUT ROWID
                """)
            // One row per scan in progress: the keys Sage holds now.
            try db.execute(sql: """
                CREATE TABLE source_key_scan(
                  connection TEXT NOT NULL,
                  entity TEXT NOT NULL,
                  key TEXT NOT NULL,
                  PRIMARY KEY(connection, entity, key)) WITHOUT ROWID
                """)
            // `complete`: the ledger was filled from position 0, so it covers everything the hub holds.
            try db.execute(sql: """
                CREATE TABLE source_key_state(
                  connection TEXT NOT NULL,
                  entity TEXT NOT NULL,
                  complete INTEGER NOT NULL DEFAULT 0,
                  scanned_at TEXT,
                  PRIMARY KEY(connection, entity))
                """)
        }
    }

    /// Records keys about to be sent as upserts; `fromStart` marks the ledger complete for the entity.
    func recordSentKeys(_ keys: [[SyncValue]], connection: String, entity: String, fromStart: Bool) throws(TielineError) {
        try guarded {
            try writer.write { db in
                let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO source_key (connection, entity, key) VALUES (?, ?, ?)")
                for key in keys { try insert.execute(arguments: [connection, entity, KeyLedger.encode(key)]) }
                if fromStart {
                    try db.execute(sql: """
                        INSERT INTO source_key_state (connection, entity, complete) VALUES (?, ?, 1)
                        ON CONFLICT (connection, entity) DO UPDATE SET complete = 1
                        """, arguments: [connection, entity])
                }
            }
        }
    }

    /// When the entity's keys were last scanned, and whether its ledger covers the hub's mirror.
    func keyScanState(connection: String, entity: String) throws(TielineError) -> (complete: Bool, scannedAt: Date?) {
        try guarded {
            try writer.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT complete, scanned_at FROM source_key_state WHERE connection = ? AND entity = ?",
                                                 arguments: [connection, entity]) else { return (false, nil) }
                let scanned = (row["scanned_at"] as String?).flatMap { try? Date($0, strategy: .iso8601) }
                return (row["complete"] as Bool, scanned)
            }
        }
    }

    /// Starts a scan: forgets any earlier scan's keys.
    func beginKeyScan(connection: String, entity: String) throws(TielineError) {
        try guarded {
            try writer.write { db in
                try db.execute(sql: "DELETE FROM source_key_scan WHERE connection = ? AND entity = ?", arguments: [connection, entity])
            }
        }
    }

    /// Adds keys Sage holds now to the scan.
    func recordScannedKeys(_ keys: [[SyncValue]], connection: String, entity: String) throws(TielineError) {
        try guarded {
            try writer.write { db in
                let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO source_key_scan (connection, entity, key) VALUES (?, ?, ?)")
                for key in keys { try insert.execute(arguments: [connection, entity, KeyLedger.encode(key)]) }
            }
        }
    }

    /// Ledger keys the scan did not find, at most `limit`: deletions to send.
    func missingKeys(connection: String, entity: String, limit: Int) throws(TielineError) -> [[SyncValue]] {
        try guarded {
            try writer.read { db in
                try String.fetchAll(db, sql: """
                    SELECT k.key FROM source_key k
                    WHERE k.connection = ? AND k.entity = ?
                      AND NOT EXISTS (SELECT 1 FROM source_key_scan s WHERE s.connection = k.connection AND s.entity = k.entity AND s.key = k.key)
                    ORDER BY k.key LIMIT ?
                    """, arguments: [connection, entity, limit]).map(KeyLedger.decode)
            }
        }
    }

    /// Forgets keys whose deletion the hub applied.
    func forgetKeys(_ keys: [[SyncValue]], connection: String, entity: String) throws(TielineError) {
        try guarded {
            try writer.write { db in
                let delete = try db.cachedStatement(sql: "DELETE FROM source_key WHERE connection = ? AND entity = ? AND key = ?")
                for key in keys { try delete.execute(arguments: [connection, entity, KeyLedger.encode(key)]) }
            }
        }
    }

    /// Ends a scan. An incomplete ledger (keys sent before the ledger existed) becomes Sage's keys
    /// now: from here on deletions are found; earlier ones wait for a Deep sync.
    func finishKeyScan(connection: String, entity: String, adoptScan: Bool) throws(TielineError) {
        try guarded {
            try writer.write { db in
                if adoptScan {
                    try db.execute(sql: """
                        INSERT OR IGNORE INTO source_key (connection, entity, key)
                        SELECT connection, entity, key FROM source_key_scan WHERE connection = ? AND entity = ?
                        """, arguments: [connection, entity])
                }
                try db.execute(sql: "DELETE FROM source_key_scan WHERE connection = ? AND entity = ?", arguments: [connection, entity])
                try db.execute(sql: """
                    INSERT INTO source_key_state (connection, entity, complete, scanned_at) VALUES (?, ?, 1, ?)
                    ON CONFLICT (connection, entity) DO UPDATE SET complete = 1, scanned_at = excluded.scanned_at
                    """, arguments: [connection, entity, Date().ISO8601Format()])
            }
        }
    }
}

/// Keys as ledger text: each value typed and length-prefixed, so no value can be mistaken for another.
enum KeyLedger {
    static func encode(_ key: [SyncValue]) -> String {
        key.map { value -> String in
            switch value {
            case .null: "n"
            case .integer(let n): "i\(n)"
            case .text(let text): "t\(text.utf8.count):\(text)"
            }
        }.joined(separator: "|")
    }

    static func decode(_ text: String) -> [SyncValue] {
        var values: [SyncValue] = []
        var rest = Substring(text)
        while let tag = rest.first {
            rest = rest.dropFirst()
            switch tag {
            case "n":
                values.append(.null)
            case "i":
                let digits = rest.prefix { $0 != "|" }
                values.append(.integer(Int64(digits) ?? 0))
                rest = rest.dropFirst(digits.count)
            default:
                let count = Int(rest.prefix { $0 != ":" }) ?? 0
                rest = rest.drop { $0 != ":" }.dropFirst()
                let utf8 = rest.utf8.prefix(count)
                let value = String(decoding: utf8, as: UTF8.self)
                values.append(.text(value))
                rest = Substring(rest.utf8.dropFirst(count))
            }
            if rest.first == "|" { rest = rest.dropFirst() }
        }
        return values
    }
}
