import ArgumentParser
import Foundation
import Hub
import Procore
import SyncCore
import TielineCore

/// Where the hub keeps the key that seals Procore client secrets.
struct SecretKeyOption: ParsableArguments {
    @Option(name: .customLong("secret-key-file"),
            help: ArgumentHelp("File holding the key that seals Procore client secrets (created, 0600, if missing).",
                               discussion: "Defaults to hub-secret.key in the home folder. Keep it with, but not inside, database backups.",
                               valueName: "file"))
    var file: String?

    func url(home: TielineHome) -> URL {
        file.map { URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath) } ?? home.path("hub-secret.key")
    }

    func load(home: TielineHome) throws(TielineError) -> HubSecretBox { try HubSecretBox.load(keyFile: url(home: home)) }
}

/// `tieline hub sites procore SITE ...`: links a site to its Procore company.
struct HubSitesProcoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "procore",
        abstract: "Link a site to its Procore company, so the hub picks up PCCOs sent to ERP and reports back.",
        discussion: """
            The client secret is sealed with the hub's secret key and never printed or logged. With \
            --webhook-url (the hub's public address + /procore/webhook) the hub registers its webhook for \
            ERP Requests create events through Procore's Webhooks API, with a token only Procore and the hub \
            know. With --webhook alone the token is printed once, to register the hook by hand (header \
            'Authorization: Bearer <token>').
            """)

    @OptionGroup var database: HubCommand.DatabaseOption
    @OptionGroup var secretKey: SecretKeyOption
    @Argument(help: "The site to link.") var site: String
    @Option(help: "Procore's API base URL: https://api.procore.com, https://sandbox.procore.com or a local sandbox.")
    var baseURL: String
    @Option(help: "The Procore company id.") var companyID: Int
    @Option(help: "OAuth client id of the Procore app / service account.") var clientID: String
    @Option(help: "OAuth client secret (use --client-secret-stdin to keep it out of the shell history).")
    var clientSecret: String?
    @Flag(help: "Read the client secret from standard input.") var clientSecretStdin = false
    @Option(help: "erp-requests (Procore's ERP platform) or public-api.") var style: String = ProcoreLink.Style.erpRequests.rawValue
    @Option(help: "Seconds between polls.") var pollSeconds = 60
    @Flag(help: "Issue a webhook token (printed once) to register the hook by hand.") var webhook = false
    @Option(help: ArgumentHelp("Register the webhook with Procore, pointing at this URL (e.g. https://hub.example.com/procore/webhook).",
                               valueName: "url"))
    var webhookURL: String?
    @Flag(help: ArgumentHelp("erp-requests: also wait for an approver's Accept in the hub.",
                             discussion: "Procore sends an ERP request once its accounting approver approved the export, so by default a valid PCCO goes straight to the agent with Procore's transaction date. public-api always waits for the hub's Accept."))
    var hubApproval = false

    func run() async throws {
        guard let style = ProcoreLink.Style(rawValue: style) else {
            throw TielineError(.invalidInput, "--style '\(style)': use erp-requests or public-api")
        }
        guard companyID > 0 else { throw TielineError(.invalidInput, "--company-id must be a positive Procore company id") }
        guard (5...86_400).contains(pollSeconds) else { throw TielineError(.invalidInput, "--poll-seconds must be 5 to 86400") }
        let clientID = clientID.trimmingWhitespace()
        guard !clientID.isEmpty, clientID.count <= 200 else { throw TielineError(.invalidInput, "--client-id must be 1 to 200 characters") }
        var secret = clientSecret ?? ""
        if clientSecretStdin { secret = readLine(strippingNewline: true) ?? "" }
        guard !secret.isEmpty, secret.count <= 500 else {
            throw TielineError(.invalidInput, "a client secret is required (--client-secret or --client-secret-stdin), at most 500 characters")
        }
        _ = try ProcoreBridge.endpoints(baseURL)
        let box = try secretKey.load(home: database.global.tielineHome)
        let webhookToken = webhook || webhookURL != nil ? SiteToken.generate().replacingOccurrences(of: "tl_", with: "tlw_") : nil
        var base = baseURL.trimmingWhitespace()
        while base.hasSuffix("/") { base.removeLast() }
        var registeredHook: Int?
        if let webhookURL, let webhookToken {
            guard let url = URL(string: webhookURL), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw TielineError(.invalidInput, "--webhook-url '\(webhookURL)' is not an http(s) URL such as https://hub.example.com/procore/webhook")
            }
            // Registered first: a link is only saved with a hook Procore accepted.
            let configuration = ProcoreConfiguration(endpoints: try ProcoreBridge.endpoints(base), companyID: companyID,
                                                     clientID: clientID, clientSecret: ProcoreSecret(secret))
            registeredHook = try await ProcoreIntake(client: ProcoreClient(configuration: configuration))
                .registerWebhook(destination: webhookURL, token: webhookToken)
        }
        var link = ProcoreLink(baseURL: base, companyID: companyID, clientID: clientID, sealedSecret: try box.seal(secret), style: style,
                               pollSeconds: pollSeconds, webhookTokenHash: webhookToken.map(SiteToken.hash))
        link.hubApproval = hubApproval
        try await database.with { try await $0.linkProcore(link, site: site) }
        Console.current.out("Linked site '\(site)' to Procore company \(companyID) at \(base) (\(style.rawValue), polled every \(pollSeconds) s) in \(try database.location()); client secret stored sealed.")
        Console.current.out(link.needsHubAccept
            ? "PCCOs wait as Ready to Export for an approver's Accept in the hub (tieline exports accept ID, or the hub console)."
            : "PCCOs approved in Procore go straight to the agent once they validate; refused ones are failed back to Procore with the reasons.")
        if let registeredHook, let webhookURL {
            Console.current.out("Registered the hub's webhook with Procore (hook \(registeredHook), namespace \(ProcoreIntake.webhookNamespace)): ERP Requests create events go to \(webhookURL).")
        } else if let webhookToken {
            Console.current.out("Webhook token, shown only this once (Procore sends it as 'Authorization: Bearer <token>' to POST /procore/webhook):")
            Console.current.out(webhookToken)
        }
    }
}

/// `tieline hub sites procore-link SITE ...`: for the public-API style, where Procore's records carry no
/// origin codes, links a Procore project and prime contract to a Sage job and contract in the hub.
struct HubSitesProcoreLinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "procore-link",
        abstract: "Link a Procore project and prime contract to a Sage job and contract (public-api style), checked against the mirror.",
        discussion: """
            The job and contract must be in the hub's mirror (sync Job (CV), Contract (CN) and Contract Item (CN) first), \
            the contract must belong to the job, and every line item of the Procore prime contract must match exactly one \
            Sage contract item, by its origin code or else by cost code and category. The link is kept in the hub; the poll \
            then takes approved PCCOs of that project like those of projects with an origin code.
            """)

    @OptionGroup var database: HubCommand.DatabaseOption
    @OptionGroup var secretKey: SecretKeyOption
    @Argument(help: "The site.") var site: String
    @Option(help: "The Procore project id.") var project: Int
    @Option(help: "The Sage job.") var job: String
    @Option(help: "The Procore prime contract id.") var primeContract: Int
    @Option(help: "The Sage contract.") var contract: String

    func run() async throws {
        let box = try secretKey.load(home: database.global.tielineHome)
        let job = job.trimmingWhitespace(), contract = contract.trimmingWhitespace()
        try await database.with { storage in
            guard let hubSite = try await storage.sites().first(where: { $0.name == site }) else {
                throw TielineError(.notFound, "no site named '\(site)'; add one with: tieline hub sites add \(site)")
            }
            guard var link = try await storage.procoreLink(site: hubSite) else {
                throw TielineError(.notFound, "site '\(site)' is not linked to Procore yet; link it with: tieline hub sites procore \(site) ... --style public-api")
            }
            // The mirror is the judge of what Sage has.
            let contracts = try await storage.mirrorRows(entity: EntityCatalog.contract.name, key: [contract], page: 1, perPage: 1, site: hubSite)
            guard let row = contracts.rows.first.map({ Dictionary($0, uniquingKeysWith: { a, _ in a }) }) else {
                throw TielineError(.notFound, "--contract: Sage contract '\(contract)' is not in the hub's mirror (sync Contract (CN) first)")
            }
            guard case .text(let owner)? = row["Job"], owner == job else {
                throw TielineError(.invalidInput, "--contract: Sage contract '\(contract)' belongs to job '\(Self.text(row["Job"]) ?? "?")', not '\(job)'")
            }
            let sageItems = try await storage.mirrorRows(entity: EntityCatalog.contractItem.name, key: [contract], page: 1, perPage: 2000, site: hubSite)
                .rows.map { Dictionary($0, uniquingKeysWith: { a, _ in a }) }
            guard !sageItems.isEmpty else {
                throw TielineError(.notFound, "--contract: the mirror holds no items of Sage contract '\(contract)' (sync Contract Item (CN) first)")
            }
            // Procore's prime contract, item by item onto Sage's.
            let configuration = ProcoreConfiguration(endpoints: try ProcoreBridge.endpoints(link.baseURL), companyID: link.companyID,
                                                     clientID: link.clientID, clientSecret: ProcoreSecret(try box.open(link.sealedSecret)))
            let document = try await ProcoreClient(configuration: configuration)
                .getJSON("/rest/v1.0/prime_contracts/\(primeContract)", query: [("project_id", String(project))])
            var codes: [Int: String] = [:]
            for (i, item) in try PayloadReader(document, path: "prime_contract").optionalArray("line_items").enumerated() {
                let id = try item.int("id")
                let costCode = try item.optional("cost_code")?.optionalString("full_code", maxLength: 100)
                let category = try item.optional("line_item_type")?.optionalString("code", maxLength: 20)
                if let code = try item.optionalString("origin_code"), sageItems.contains(where: { Self.text($0["Item"]) == code }) {
                    codes[id] = code
                    continue
                }
                let matches = sageItems.filter { Self.text($0["Cost_Code"]) == costCode && (category == nil || Self.text($0["Category"]) == category) }
                guard matches.count == 1, let code = Self.text(matches[0]["Item"]) else {
                    throw TielineError(.invalidInput, "prime contract \(primeContract) line_items[\(i)] (id \(id), cost code \(costCode ?? "none")/\(category ?? "none")) matches \(matches.count) items of Sage contract '\(contract)'; it must match exactly one")
                }
                codes[id] = code
            }
            var links = (link.projectLinks ?? []).filter { $0.projectID != project }
            links.append(HubProjectLink(projectID: project, job: job, primeContractID: primeContract, contract: contract, itemCodes: codes))
            link.projectLinks = links
            try await storage.linkProcore(link, site: site)
            let mapping = codes.sorted { $0.key < $1.key }.map { "\($0.key)→\($0.value)" }.joined(separator: ", ")
            Console.current.out("Linked Procore project \(project) (prime contract \(primeContract)) to Sage job \(job), contract \(contract); items \(mapping) in \(try database.location()).")
        }
    }

    static func text(_ value: SyncValue?) -> String? {
        if case .text(let s)? = value { return s }
        return nil
    }
}
