import TielineCore
import SyncCore

/// A sync run's row, as both backends read it.
struct RunRow {
    var type: String
    var status: String
    var startDate: String?
    /// The run's number in this hub (unique across sites and runs), what mirror rows keep in `last_run`: a few
    /// digits instead of a 36-character id in every row. On SQLite it is the run's rowid, unique only because runs
    /// are never deleted (SQLite may reuse the largest rowid after a delete): pruning runs would need a serial column.
    var serial: Int64 = 0

    /// `serial` as `last_run` stores it.
    var mirrorStamp: String { String(serial) }
}

/// The rules and messages both storage backends apply, written once: the backends only find and store.
enum StorageRules {
    /// Whether completing an entity searches for the mirror rows the run did not send: in a Deep run only, and not
    /// when the entity's first batch found no rows from before the run (`older_rows` false, a first Deep: looking
    /// would read every row it just stored). A missing note (nil) is unknown, so the search runs.
    static func searchesUnsentRows(_ run: RunRow, olderRows: Bool?) -> Bool {
        run.type == SyncType.deep.rawValue && olderRows != false
    }

    /// A site name as stored: trimmed, 1 to 100 characters, one line.
    static func siteName(_ name: String) throws(TielineError) -> String {
        let name = name.trimmingWhitespace()
        guard !name.isEmpty, name.count <= 100, !name.contains(where: { $0.isNewline }) else {
            throw TielineError(.invalidInput, "a site name must be 1 to 100 characters on one line")
        }
        return name
    }

    static func noSite(_ name: String, known: [String]) -> TielineError {
        TielineError(.notFound, known.isEmpty
            ? "no site named '\(name)'; add one with: tieline hub sites add \(quoted(name))"
            : "no site named '\(name)'; known sites: \(known.joined(separator: ", "))")
    }

    static func siteExists(_ name: String) -> TielineError {
        TielineError(.conflict, "a site named '\(name)' already exists; issue it a new token with: tieline hub sites token \(quoted(name))")
    }

    /// A run's final status: a word, not `running`.
    static func finishStatus(_ status: String) throws(TielineError) -> String {
        let status = status.trimmingWhitespace()
        guard !status.isEmpty, status.count <= 40, status != RunStatus.running else {
            throw TielineError(.invalidInput, "status must be a word such as succeeded, failed or cancelled (1 to 40 characters, not 'running')")
        }
        return status
    }

    /// A run as found, refused (409) when it must be open and is finished.
    static func run(_ run: RunRow, _ runID: String, open: Bool) throws(TielineError) -> RunRow {
        if open && run.status != RunStatus.running { throw finished(runID, run.status) }
        return run
    }

    static func finished(_ runID: String, _ status: String) -> TielineError {
        TielineError(.conflict, "sync run '\(runID)' is finished (\(status)); reopen it with POST /v1/sync/runs to resume")
    }

    static func noRun(_ runID: String) -> TielineError {
        TielineError(.notFound, "no sync run '\(runID.prefix(100))' for this site; open it first with POST /v1/sync/runs")
    }

    static func noExport(_ id: Int64, site: HubSite) -> TielineError {
        TielineError(.notFound, "no export \(id) in site '\(site.name)'; list them with: tieline exports list --status all")
    }

    static func alreadyQueued(pccoID: Int) -> TielineError {
        TielineError(.conflict, "PCCO \(pccoID) is already in the export queue")
    }

    static func userExists(site: String, name: String) -> TielineError {
        TielineError(.conflict, "site '\(site)' already has a user named '\(name)'")
    }

    static func noUser(site: String, name: String) -> TielineError {
        TielineError(.notFound, "site '\(site)' has no user named '\(name)'")
    }

    static func notLinked(_ site: HubSite) -> TielineError {
        TielineError(.notFound, "site '\(site.name)' is not linked to Procore; link it with: tieline hub sites procore \(quoted(site.name)) ...")
    }

    /// A site name as a shell argument.
    static func quoted(_ name: String) -> String {
        name.contains(where: { $0.isWhitespace }) ? "\"\(name)\"" : name
    }
}
