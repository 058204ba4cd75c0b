import ArgumentParser
import Foundation
import Hub
import TielineCore

/// `tieline exports`: the accounting approver's queue of PCCOs, from the hub's database.
struct ExportsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exports",
        abstract: "Review, accept or reject PCCOs sent to ERP (the hub's export queue).",
        discussion: """
            Runs against the hub's database (like `tieline hub sites`), on the hub's machine. A running \
            hub hands accepted exports to the site's agent within moments and tells Procore the result.
            """,
        subcommands: [List.self, Show.self, Accept.self, Reject.self, Retry.self, Retrieve.self, Unlink.self, Reset.self]
    )

    /// Database, site and who is acting.
    struct Scope: ParsableArguments {
        @OptionGroup var database: HubCommand.DatabaseOption
        @Option(help: "The site (needed when the hub has more than one).") var site: String?
        @Option(name: .customLong("as"), help: "Who is acting, for the audit trail (defaults to $USER).") var actor: String?
        @Flag(help: "Print JSON.") var json = false

        /// Runs `body` with the queue and the chosen site; the database is closed afterwards.
        func with(_ body: (ExportQueue, HubSite) async throws -> Void) async throws {
            try await database.with { storage in
                let sites = try await storage.sites()
                if let site {
                    guard let found = sites.first(where: { $0.name == site }) else {
                        throw TielineError(.notFound, "no site named '\(site)'; known sites: \(sites.map(\.name).joined(separator: ", "))")
                    }
                    return try await body(ExportQueue(storage: storage), found)
                }
                guard sites.count == 1 else {
                    throw TielineError(.invalidInput, sites.isEmpty ? "\(database.noSitesIn(try database.location())); add one with: tieline hub sites add NAME"
                                       : "the hub has several sites; choose one with --site (\(sites.map(\.name).joined(separator: ", ")))")
                }
                try await body(ExportQueue(storage: storage), sites[0])
            }
        }

        /// One move of the queue: prints the export as JSON, or `message` for people.
        func move(_ act: @escaping (ExportQueue, HubSite, String) async throws -> HubExport,
                  message: @escaping (HubExport) -> String) async throws {
            try await reporting(json: json) {
                try await with { queue, site in
                    let record = try await act(queue, site, who)
                    if json { return Console.current.json(ExportSummary(record)) }
                    Console.current.out(message(record))
                }
            }
        }

        var who: String {
            let name = actor?.trimmingWhitespace() ?? ProcessInfo.processInfo.environment["USER"] ?? "someone"
            return "\(name.isEmpty ? "someone" : name.clipped(100)) (cli)"
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List exports: Ready to Export by default.")
        @OptionGroup var scope: Scope
        @Option(help: "ready, accepted, failed, synced, archived (rejected, retrieved, unlinked) or all; or exactly one of checking, exporting, rejected, retrieved, unlinked.") var status = "ready"
        @Option(help: "At most this many, newest first.") var limit = 200

        func run() async throws {
            try await reporting(json: scope.json) {
                try await scope.with { queue, site in
                    let exports = try await queue.storage.exports(site: site, statuses: try ExportStatus.filter(status), limit: max(1, min(limit, 10_000)))
                    if scope.json { return Console.current.json(exports.map(ExportSummary.init)) }
                    guard !exports.isEmpty else { return Console.current.out("no exports with status \(status) in site '\(site.name)'") }
                    Console.current.out(ExportText.table(exports))
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One export: lines, markups, validation, Sage result, audit trail.")
        @OptionGroup var scope: Scope
        @Argument(help: "The export id (from `tieline exports list`).") var id: Int64

        func run() async throws {
            try await reporting(json: scope.json) {
                try await scope.with { queue, site in
                    let record = try await queue.record(id: id, site: site)
                    let events = try await queue.storage.exportEvents(id: id, site: site)
                    if scope.json { return Console.current.json(ExportDetail(export: record, events: events)) }
                    Console.current.out(ExportText.detail(record, events: events))
                }
            }
        }
    }

    struct Accept: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Accept a Ready to Export PCCO; the agent writes it into Sage.")
        @OptionGroup var scope: Scope
        @Argument var id: Int64
        @Option(help: "The Transaction Date, YYYY-MM-DD (defaults to the date Procore sent, else today).") var transactionDate: String?

        func run() async throws {
            try await reporting(json: scope.json) {
                try await scope.with { queue, site in
                    let date = try transactionDate.map { (text) throws(TielineError) in try CalendarDate(parsing: text, field: "--transaction-date") }
                    let record = try await queue.accept(id: id, site: site, transactionDate: date, actor: scope.who)
                    if scope.json { return Console.current.json(ExportSummary(record)) }
                    Console.current.out("Accepted PCCO \(record.export.number) (\(record.export.title)) with transaction date \(record.transactionDate.map { "\($0)" } ?? "today"); the agent writes it into Sage next.")
                }
            }
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a PCCO; it becomes editable again in Procore.")
        @OptionGroup var scope: Scope
        @Argument var id: Int64
        @Option(help: "Why, for the people in Procore.") var comment: String?

        func run() async throws {
            try await scope.move({ queue, site, who in try await queue.reject(id: id, site: site, comment: comment, actor: who) }) { record in
                "Rejected PCCO \(record.export.number); Procore is told and the PCCO is editable again."
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resend a Failed to Export PCCO after a fix (validated again).")
        @OptionGroup var scope: Scope
        @Argument var id: Int64

        func run() async throws {
            try await scope.move({ queue, site, who in try await queue.retry(id: id, site: site, actor: who) }) { record in
                record.writeBack != nil && record.status != .ready && record.status != .accepted
                    ? "PCCO \(record.export.number) is \(record.status.label); telling Procore again now."
                    : record.problems.isEmpty ? "PCCO \(record.export.number) is \(record.status.label) again."
                    : "PCCO \(record.export.number) is \(record.status.label), but validation still finds:\n"
                        + record.problems.map { "  - \($0.message)" }.joined(separator: "\n")
            }
        }
    }

    struct Retrieve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take back a PCCO before it is accepted, so it can be edited in Procore.")
        @OptionGroup var scope: Scope
        @Argument var id: Int64

        func run() async throws {
            try await scope.move({ queue, site, who in try await queue.retrieve(id: id, site: site, actor: who) }) { record in
                "Retrieved PCCO \(record.export.number); it is editable again in Procore."
            }
        }
    }

    struct Unlink: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Unlink a Synced PCCO from its Sage change order (Sage keeps it).")
        @OptionGroup var scope: Scope
        @Argument var id: Int64

        func run() async throws {
            try await scope.move({ queue, site, who in try await queue.unlink(id: id, site: site, actor: who) }) { record in
                "Unlinked PCCO \(record.export.number); Procore's link to Sage is cleared, Sage keeps change order \(record.result?.changeOrder ?? record.export.number)."
            }
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Admin: make an export Ready to Export again (re-export).",
            discussion: "Exporting it again writes nothing new while Sage still holds its change order (the Procore id is the key).")
        @OptionGroup var scope: Scope
        @Argument var id: Int64

        func run() async throws {
            try await scope.move({ queue, site, who in try await queue.reset(id: id, site: site, actor: who) }) { record in
                "PCCO \(record.export.number) is Ready to Export again."
            }
        }
    }
}
