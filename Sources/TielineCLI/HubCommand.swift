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

    /// `--database sqlite:FILE`, a plain path, or `postgres://USER@HOST:PORT/DB`; defaults to hub.sqlite in the home folder.
    struct DatabaseOption: ParsableArguments {
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("The hub database, as sqlite:FILE or postgres://USER[:PASSWORD]@HOST[:PORT]/DB.",
                                   discussion: "Defaults to hub.sqlite in the home folder. Several hub processes may share one PostgreSQL database.",
                                   valueName: "url"))
        var database: String?

        /// Which database, parsed (the scheme picks the backend).
        func location() throws -> HubDatabase {
            guard let database else { return .sqlite(path: global.tielineHome.path("hub.sqlite").path) }
            return try HubDatabase(parsing: database)
        }

        /// Runs `body` on the opened storage and closes it afterwards, also when `body` throws. Something not
        /// found in a database without sites names that database: most likely the command missed the hub's --database.
        func with<T>(_ body: (any HubStorage) async throws -> T) async throws -> T {
            let location = try location()
            return try await location.withStorage(logger: Self.storageLogger) { storage in
                do {
                    return try await body(storage)
                } catch let error as TielineError where error.code == .notFound {
                    guard let sites = try? await storage.sites(), sites.isEmpty else { throw error }
                    throw TielineError(error.code, error.message + " (\(noSitesIn(location)))")
                }
            }
        }

        /// "the hub database X has no sites yet …": which database a command looked in, for when it is not the hub's.
        func noSitesIn(_ location: HubDatabase) -> String {
            "the hub database \(location)\(database == nil ? " (the default without --database)" : "") has no sites yet"
        }

        /// Runs `body` on the opened database's console users and sessions, and closes it afterwards.
        func withAccounts<T>(_ body: (any ConsoleAccounts) async throws -> T) async throws -> T {
            try await with { storage in try await body(try Self.accounts(storage)) }
        }

        /// The console's users and sessions, kept by the same database as everything else.
        static func accounts(_ storage: any HubStorage) throws -> any ConsoleAccounts {
            guard let accounts = storage as? any ConsoleAccounts else {
                throw TielineError(.internalError, "this hub database keeps no console users")
            }
            return accounts
        }

        /// Storage logs only problems on the command line; a person reads the command's own output.
        static var storageLogger: Logger {
            var logger = Logger(label: "tieline.hub.storage")
            logger.logLevel = .warning
            return logger
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
        @Option(help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.",
                                   discussion: "debug adds one access-log line per request (method, path without its query, status, time).",
                                   valueName: "level"))
        var logLevel = "info"

        func run() async throws {
            guard let level = Logger.Level(rawValue: logLevel.lowercased()) else {
                throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical (got '\(logLevel)')")
            }
            var logger = Logger(label: "tieline.hub")
            logger.logLevel = level
            let location = try database.location()
            let configuration = HubConfiguration(exportLease: TimeInterval(max(1, exportLease)), secrets: try secretKey.load(home: database.global.tielineHome))
            let storage = try await location.open(logger: DatabaseOption.storageLogger)
            // Browsers keep Secure cookies to HTTPS and to this machine (loopback), which is where the hub listens unless told otherwise.
            let console = noConsole ? nil : HubConsole(storage: storage, accounts: try DatabaseOption.accounts(storage))
            // The storage's background work (PostgreSQL's pool and LISTEN loop) is a service of the hub's group, stopped after the server.
            let hub = try await HubServer.start(storage: storage, host: host, port: port, configuration: configuration, logger: logger,
                                                stopOnSignals: true, runStorage: true) { router, queue in
                console?.install(on: router, queue: queue)
            }
            print("Tieline hub listening on \(hub.baseURL) (database \(location)); Ctrl-C stops it")
            if console != nil { print("Web console: \(hub.baseURL)/console (add users with: tieline hub users add SITE USER --role approver)") }
            fflush(nil)
            try await hub.waitUntilStopped()
        }
    }

    struct Sites: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sites (tenants) and their agent tokens.",
            subcommands: [Add.self, List.self, Token.self, Revoke.self, HubSitesProcoreCommand.self, HubSitesProcoreLinksCommand.self,
                          HubSitesProcoreUnlinkCommand.self, HubSitesProcoreLinkCommand.self]
        )

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Add a site and print its agent token (shown once).")
            @OptionGroup var database: DatabaseOption
            @Argument(help: "The site's name, e.g. the company's.") var name: String

            func run() async throws {
                let token = try await database.with { try await $0.addSite(name) }
                // Which database: `hub serve` must be given the same one (README: pass --database to every hub command).
                Console.current.out("Added site '\(name.trimmingWhitespace())' to \(try database.location()). Its agent token, shown only this once:")
                Console.current.out(token)
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List sites.")
            @OptionGroup var database: DatabaseOption
            @Flag(help: "Print JSON.") var json = false

            func run() async throws {
                let sites = try await database.with { try await $0.sites() }
                if json {
                    Console.current.json(sites)
                } else if sites.isEmpty {
                    Console.current.out("\(database.noSitesIn(try database.location())); add one with: tieline hub sites add NAME")
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
                let token = try await database.with { try await $0.rotateToken(site: name) }
                Console.current.out("Revoked the old tokens of '\(name)' in \(try database.location()). Its new agent token, shown only this once:")
                Console.current.out(token)
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke every token of a site.")
            @OptionGroup var database: DatabaseOption
            @Argument var name: String

            func run() async throws {
                try await database.with { try await $0.revokeTokens(site: name) }
                Console.current.out("Revoked every agent token of '\(name)' in \(try database.location())")
            }
        }
    }
}
