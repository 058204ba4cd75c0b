import ArgumentParser
import Foundation
import Hub
import Procore
import TielineCore

/// `tieline hub exports receive`: queue a Procore ERP request as Ready to Export by hand — for a
/// site not linked to Procore yet, and for trying the web console's Accept / Reject.
struct HubExportsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exports",
        abstract: "The PCCO export queue of a site.",
        subcommands: [Receive.self])

    struct Receive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue a create_prime_contract_change_order ERP request as Ready to Export.",
            discussion: "Without --request, queues Procore's sample request (Riverside Clinic, PCCO 007). It is validated against the site's mirror, like a PCCO polled from Procore.")
        @OptionGroup var database: HubCommand.DatabaseOption
        @Argument(help: "The site.") var site: String
        @Option(help: ArgumentHelp("A Procore ERP request (JSON).", valueName: "file")) var request: String?

        func run() async throws {
            try await reporting(json: false) {
                let data = try request.map { path throws(TielineError) -> Data in
                    guard let data = FileManager.default.contents(atPath: path) else {
                        throw TielineError(.notFound, "cannot read \(path)")
                    }
                    return data
                } ?? Data(DemoFixtures.erpRequest.utf8)
                let document = try JSONValue.parse(data, context: request ?? "sample ERP request")
                guard case .createChangeOrder(let export) = try ERPEvent.parse(document: document) else {
                    throw TielineError(.invalidInput, "\(request ?? "the request") is not a create_prime_contract_change_order request")
                }
                let receipt = try await database.with { storage in
                    guard let hubSite = try await storage.sites().first(where: { $0.name == site }) else {
                        throw TielineError(.notFound, "no site named '\(site)'; add one with: tieline hub sites add \(site)")
                    }
                    // As the site's Procore link would take it: approved in Procore unless the site wants the hub's Accept.
                    let approved = try await storage.procoreLink(site: hubSite).map { !$0.needsHubAccept } ?? false
                    return try await ExportQueue(storage: storage).deliver(export, site: hubSite, actor: "cli", approvedInProcore: approved)
                }
                let record = receipt.record
                if let ignored = receipt.ignored {
                    Console.current.out("Export \(record.id): \(ignored)")
                    return
                }
                let problems = record.problems.isEmpty ? "no validation problems" : "\(counted(record.problems.count, "validation problem")): "
                    + record.problems.map(\.message).joined(separator: "; ")
                Console.current.out("Export \(record.id): PCCO \(export.number) \"\(export.title)\" is \(record.status.label) (\(problems))")
            }
        }
    }
}
