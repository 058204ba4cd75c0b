import ArgumentParser
import Foundation
import Hub
import HubConsole
import Logging
import TielineCore

/// `tieline hub`: run the cloud hub and manage its sites.
struct HubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hub",
        abstract: "Run the Tieline hub (the cloud side) and manage its sites and agent tokens.",
        subcommands: [Serve.self, Sites.self, HubUsersCommand.self, HubExportsCommand.self]
    )

    /// `--database sqlite:FILE` (or a plain path); defaults to hub.sqlite in the home folder.
    struct DatabaseOption: ParsableArguments {
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("The hub database, as sqlite:FILE.", discussion: "Defaults to hub.sqlite in the home folder.",
                                   valueName: "url"))
        var database: String?

        func open() throws -> SQLiteHubStorage {
            guard let database else { return try SQLiteHubStorage(path: global.tielineHome.path("hub.sqlite").path) }
            if database.hasPrefix("sqlite:") {
                let path = String(database.dropFirst("sqlite:".count)).replacingOccurrences(of: "//", with: "", options: .anchored)
                return try SQLiteHubStorage(path: (path as NSString).expandingTildeInPath)
            }
            if database.contains("://") {
                throw TielineError(.invalidInput, "--database '\(database)': only sqlite:FILE is supported so far")
            }
            return try SQLiteHubStorage(path: (database as NSString).expandingTildeInPath)
        }
    }

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Serve the hub API until SIGTERM or SIGINT (Ctrl-C).")
        @OptionGroup var database: DatabaseOption
        @OptionGroup var secretKey: SecretKeyOption
        @Option(help: "Address to listen on.") var host = "127.0.0.1"
        @Option(help: "Port to listen on (0 picks a free one).") var port = 8080
        @Option(help: "Seconds an agent holds an export before it may be delivered again.") var exportLease = 60
        @Flag(help: "Do not serve the web console under /console.") var noConsole = false

        func run() async throws {
            let storage = try database.open()
            let configuration = HubConfiguration(exportLease: TimeInterval(max(1, exportLease)), secrets: try secretKey.load(home: database.global.tielineHome))
            // Browsers keep Secure cookies to HTTPS and to this machine (loopback), which is where the hub listens unless told otherwise.
            let console = noConsole ? nil : HubConsole(storage: storage, accounts: storage)
            let hub = try await HubServer.start(storage: storage, host: host, port: port, configuration: configuration, stopOnSignals: true) { router, queue in
                console?.install(on: router, queue: queue)
            }
            print("Tieline hub listening on \(hub.baseURL) (database \(storage.path)); Ctrl-C stops it")
            if console != nil { print("Web console: \(hub.baseURL)/console (add users with: tieline hub users add SITE USER --role approver)") }
            fflush(nil)
            try await hub.waitUntilStopped()
        }
    }

    struct Sites: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sites (tenants) and their agent tokens.",
            subcommands: [Add.self, List.self, Token.self, Revoke.self, HubSitesProcoreCommand.self]
        )

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Add a site and print its agent token (shown once).")
            @OptionGroup var database: DatabaseOption
            @Argument(help: "The site's name, e.g. the company's.") var name: String

            func run() async throws {
                let token = try await database.open().addSite(name)
                print("Added site '\(name.trimmingWhitespace())'. Its agent token, shown only this once:")
                print(token)
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List sites.")
            @OptionGroup var database: DatabaseOption
            @Flag(help: "Print JSON.") var json = false

            func run() async throws {
                let sites = try await database.open().sites()
                if json {
                    Console.current.json(sites)
                } else if sites.isEmpty {
                    print("no sites yet; add one with: tieline hub sites add NAME")
                } else {
                    for site in sites {
                        print("\(site.name)  created \(site.createdAt)  \(site.activeTokens) active token\(site.activeTokens == 1 ? "" : "s")")
                    }
                }
            }
        }

        struct Token: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke a site's tokens and print a new one (shown once).")
            @OptionGroup var database: DatabaseOption
            @Argument var name: String

            func run() async throws {
                let token = try await database.open().rotateToken(site: name)
                print("Revoked the old tokens of '\(name)'. Its new agent token, shown only this once:")
                print(token)
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke every token of a site.")
            @OptionGroup var database: DatabaseOption
            @Argument var name: String

            func run() async throws {
                try await database.open().revokeTokens(site: name)
                print("Revoked every agent token of '\(name)'")
            }
        }
    }
}
