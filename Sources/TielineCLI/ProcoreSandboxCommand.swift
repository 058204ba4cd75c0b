import ArgumentParser
import Foundation
import ProcoreSandbox
import TielineCore

/// `tieline procore-sandbox`: a loopback stand-in for Procore's cloud.
struct ProcoreSandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "procore-sandbox",
        abstract: "Run a local stand-in for Procore's API (OAuth, projects, prime contracts, PCCOs, ERP requests).",
        discussion: """
            The sandbox serves the subset of Procore's REST API that Tieline uses, with Procore's \
            paging and rate-limit headers, so the sync can be tried and tested without a Procore account.
            """,
        subcommands: [Serve.self],
        defaultSubcommand: Serve.self)

    /// `tieline procore-sandbox serve`.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the Procore sandbox on loopback until interrupted.",
            discussion: """
                Seeded deterministically: the same --seed gives the same projects, ids and PCCOs. It starts with \
                no project linked to Sage, only --projects made in Procore. Sage's jobs and prime contracts arrive \
                as Procore's do: the hub stages them (ERP Staged Records) when the ERP tool asks (POST \
                /sandbox/erp_requests with sync_jobs or sync_prime_contracts), and they are imported from Ready to \
                Import (POST /sandbox/import_all), which sends create_job_in_procore for each new project. PCCOs sent \
                to ERP are made on imported prime contracts only.

                Control endpoints (no token needed):
                  POST /sandbox/pccos      create an approved PCCO and enqueue its ERP request
                                           (its contract must be imported; "send_to_erp": false
                                           makes one Procore keeps, on any contract);
                                           optional body: {"project_id": 1001, "lines":
                                           [{"contract_item": "100", "amount": "1000.00"}]}
                  GET|PUT /sandbox/faults  read or set faults, e.g. {"rate_limit_burst": 3}
                                           or {"unavailable_burst": 1, "unavailable_retry_after": 2};
                                           also slow_burst + slow_seconds, drop_burst,
                                           malformed_burst, server_error_burst
                  GET /sandbox/ready_to_import   staged records an accountant could import
                  POST /sandbox/import_all       import them all (or /sandbox/staged_records/ID/import)
                  GET /sandbox/stats       request counters
                  GET /sandbox/served_pages      list pages answered (path, page, per_page, total)

                OAuth: POST /oauth/token with grant_type=client_credentials and the client id and \
                secret given here. Point Tieline at the printed URL as a local Procore endpoint.
                """)

        @OptionGroup var global: GlobalOptions

        @Option(help: "TCP port to listen on (0 picks a free one).")
        var port: Int = 8090

        @Option(help: "Address to bind; keep it on loopback unless you mean to share the sandbox.")
        var host: String = "127.0.0.1"

        @Option(help: "Seed for ids, origin ids and generated PCCOs.")
        var seed: UInt64 = 1

        @Option(help: "Projects made in Procore, not linked to Sage, each with a prime contract (for clients that list projects and PCCOs).")
        var projects: Int = 3

        @Option(help: "Procore company id the sandbox answers for (the Procore-Company-Id header).")
        var companyID: Int = 4_201

        @Option(help: "OAuth client id the sandbox accepts.")
        var clientID: String = "tieline-sandbox-client"

        @Option(help: ArgumentHelp("Environment variable holding the OAuth client secret to accept (default secret: tieline-sandbox-secret).",
                                   valueName: "name"))
        var clientSecretEnv: String = "TIELINE_SANDBOX_SECRET"

        @Option(help: "Requests allowed per rate-limit window.")
        var rateLimit: Int = 3_600

        @Option(help: "Rate-limit window length in seconds.")
        var rateLimitWindow: Double = 3_600

        @Option(help: "Requests allowed per 10-second spike window (0, the default, turns the spike limit off; Procore's rate-limiting guide shows 25 in its example).")
        var spikeLimit: Int = 0

        @Option(help: "Seconds an access token lives (Procore: 5400); a few seconds tests expiry and refresh.")
        var tokenLifetime: Int = 5_400

        @Flag(help: "Answer token requests with a refresh_token too, for clients that refresh rather than ask again.")
        var refreshTokens = false

        @Option(help: ArgumentHelp("Call this URL for every new ERP request, like Procore's webhook (e.g. http://127.0.0.1:8080/procore/webhook).",
                                   valueName: "url"))
        var webhookURL: String?

        @Option(help: ArgumentHelp("Environment variable holding the webhook token the hub printed (sent as 'Authorization: Bearer').",
                                   valueName: "name"))
        var webhookTokenEnv = "TIELINE_WEBHOOK_TOKEN"

        /// The sandbox configuration these options ask for (the secret read from `clientSecretEnv`).
        func sandboxConfiguration() throws -> SandboxConfiguration {
            var config = SandboxConfiguration()
            config.host = host
            config.port = port
            config.seed = seed
            config.companyID = companyID
            config.clientID = clientID
            if let secret = ProcessInfo.processInfo.environment[clientSecretEnv], !secret.isEmpty { config.clientSecret = secret }
            config.rateLimit = rateLimit
            config.rateLimitWindow = rateLimitWindow
            config.spikeLimit = spikeLimit
            guard tokenLifetime >= 1 else { throw ValidationError("--token-lifetime must be at least 1 second") }
            config.tokenLifetime = tokenLifetime
            config.issueRefreshTokens = refreshTokens
            guard (0...1000).contains(projects) else { throw ValidationError("--projects must be 0 to 1000") }
            config.syntheticProjects = projects
            return config
        }

        func run() async throws {
            let config = try sandboxConfiguration()
            let sandbox = try await ProcoreSandbox.start(config)
            if let webhookURL {
                guard let token = ProcessInfo.processInfo.environment[webhookTokenEnv], !token.isEmpty else {
                    await sandbox.shutdown()
                    throw TielineError(.invalidInput, "--webhook-url needs the hub's webhook token in $\(webhookTokenEnv)")
                }
                sandbox.setWebhook(SandboxWebhook(url: webhookURL, token: token))
                print("webhook: every new ERP request is POSTed to \(webhookURL)")
            }
            // The secret is never printed; the user set it (or knows the documented default).
            print("Procore sandbox listening on \(sandbox.baseURL.absoluteString)")
            print("company id \(config.companyID), client id \(config.clientID), \(sandbox.projects.count) projects")
            print("Press Ctrl-C to stop.")
            // Flush now: Ctrl-C ends the process without flushing a piped stdout.
            fflush(nil)
            try await sandbox.waitUntilStopped()
        }
    }
}
