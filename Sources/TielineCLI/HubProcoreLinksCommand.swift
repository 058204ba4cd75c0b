import ArgumentParser
import Foundation
import Hub

/// `tieline hub sites procore-links`: which sites are linked to Procore, and how their polls are doing.
struct HubSitesProcoreLinksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "procore-links",
        abstract: "List the sites linked to Procore: company, style, approval, webhook and the last poll.",
        discussion: "Secrets and webhook tokens are stored sealed or hashed and never printed.")

    @OptionGroup var database: HubCommand.DatabaseOption
    @Flag(help: "Print JSON.") var json = false

    /// What is shown of a link: everything but its sealed secret and token hash.
    struct Summary: Encodable {
        var site: String
        var baseURL: String
        var companyID: Int
        var clientID: String
        var style: String
        var pollSeconds: Int
        var approval: String
        var webhook: Bool
        var cursor: String?
        var lastPollAt: Date?
        var lastPollError: String?
        var projectLinks: Int

        init(_ linked: LinkedSite) {
            let link = linked.link
            site = linked.site.name
            baseURL = link.baseURL
            companyID = link.companyID
            clientID = link.clientID
            style = link.style.rawValue
            pollSeconds = link.pollSeconds
            approval = link.needsHubAccept ? "hub Accept" : "Procore's approval"
            webhook = link.webhookTokenHash != nil
            cursor = link.cursor
            lastPollAt = link.lastPollAt
            lastPollError = link.lastPollError
            projectLinks = link.projectLinks?.count ?? 0
        }
    }

    func run() async throws {
        let links = try await database.with { try await $0.linkedSites() }.map(Summary.init)
        if json { return Console.current.json(links) }
        guard !links.isEmpty else {
            return Console.current.out("No site is linked to Procore in \(try database.location()); link one with: tieline hub sites procore SITE ...")
        }
        for link in links {
            let poll = link.lastPollAt.map { "last poll \($0.ISO8601Format())" + (link.lastPollError.map { " failed: \($0)" } ?? " ok") } ?? "not polled yet"
            Console.current.out("\(link.site)  Procore company \(link.companyID) at \(link.baseURL)  \(link.style), every \(link.pollSeconds) s, "
                + "approval: \(link.approval), webhook: \(link.webhook ? "yes" : "no")"
                + (link.style == "public-api" ? ", \(link.projectLinks) project link\(link.projectLinks == 1 ? "" : "s")" : "")
                + "  \(poll)")
        }
    }
}

/// `tieline hub sites procore-unlink SITE`: stops the hub polling Procore for a site and refusing its webhooks' token.
struct HubSitesProcoreUnlinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "procore-unlink",
        abstract: "Remove a site's Procore link: the hub stops polling Procore for it and refuses its webhook token.",
        discussion: """
            Exports already in the queue stay, and the agent still writes those it claims, but Procore is no longer \
            told what became of them: a due report finds no link and is dropped. A webhook registered with Procore stays there (delete it \
            in Procore's Webhooks settings); its deliveries are answered 401 from now on. Running hub processes \
            notice within one poll cycle.
            """)

    @OptionGroup var database: HubCommand.DatabaseOption
    @Argument(help: "The site to unlink.") var site: String

    func run() async throws {
        let removed = try await database.with { try await $0.unlinkProcore(site: site) }
        Console.current.out(removed
            ? "Removed the Procore link of site '\(site)' in \(try database.location())."
            : "Site '\(site)' was not linked to Procore in \(try database.location()); nothing changed.")
    }
}
