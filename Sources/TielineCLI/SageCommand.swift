import ArgumentParser
import Foundation
import SageStore
import TielineCore

/// `tieline sage`: what a Sage 300 CRE user does in Sage itself, on a company file.
struct SageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sage",
        abstract: "Do in a Sage company file what a Sage 300 CRE user does in Sage (Post Entries).",
        subcommands: [PostEntries.self])

    struct PostEntries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "post-entries",
            abstract: "Post a batch of unposted JC entries, as Sage's Post Entries does.",
            discussion: """
                Moves the batch's entries from the unposted batch into JC history under a new run and rolls \
                the amounts up (revised contract and scheduled values, approved estimate changes, JTD cost), in \
                one transaction: if any entry is coded to a job, cost code, category or contract item Sage does \
                not have, nothing is posted and the entry is named. PCCOs exported from Procore wait in batch PROCORE.
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "The Sage company file.") var path: String
        @Option(help: "The batch to post.") var batch = "PROCORE"
        @Flag(help: "Print the summary as JSON.") var json = false

        func run() async throws {
            try await reporting(json: json) {
                let summary = try SageCompany.open(at: path).postEntries(batch: batch)
                if json { return Console.current.json(summary) }
                guard summary.transactions > 0 else {
                    return Console.current.out("Nothing to post: batch \(batch) of \(path) has no unposted entries")
                }
                Console.current.out("Posted \(summary.transactions) \(summary.transactions == 1 ? "entry" : "entries") of batch \(batch) as JC run \(summary.run):")
                for (type, total) in summary.totals.sorted(by: { $0.key < $1.key }) {
                    Console.current.out("  \(Output.pad(type, 24)) \(total)")
                }
            }
        }
    }
}
