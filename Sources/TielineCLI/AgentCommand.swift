import Agent
import Foundation
import AgentConsole
import ArgumentParser
import Logging
import ServiceLifecycle
import TielineCore

/// `tieline agent`: the long-running synchronization client.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run the synchronization client as a long-running service.",
        subcommands: [AgentRunCommand.self, AgentDeepSyncCommand.self])
}

/// `tieline agent run`: incremental syncs of every connection on a schedule until SIGTERM/SIGINT.
struct AgentRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Sync every connection incrementally on a schedule; Deep on demand.",
        discussion: """
            A Deep sync runs with --deep-now, or when `tieline agent deep-sync` asks the running agent \
            for one. SIGTERM or Ctrl-C finishes and checkpoints the current batch, records the run \
            as interrupted, and the next start resumes it.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Seconds between syncs.")
    var interval: Int = 60

    @Flag(name: .long, help: "Run a Deep sync of every connection first.")
    var deepNow = false

    @Flag(name: .long, help: "Print sync events as JSON lines.")
    var json = false

    @Flag(name: .long, help: "Also serve the local console (Connect, Local Connections, Mappings, Sync) in a browser.")
    var console = false

    @Option(name: .long, help: "Port of the local console.")
    var consolePort: Int = 8070

    @Option(name: .long, help: ArgumentHelp("Address the local console listens on (keep it on this machine).",
                                            discussion: "Any other address needs the console password set first, with --console-password-stdin."))
    var consoleHost: String = "127.0.0.1"

    @Flag(name: .long, help: "Read the console password from the first line of standard input and set it, if none is set yet.")
    var consolePasswordStdin = false

    @Option(name: .long, help: "The Local Connection accepted PCCOs are written to (defaults to the only one, or the one mapped for PCCO export).")
    var exportConnection: String?

    @Flag(name: .long, inversion: .prefixedNo, help: "Write PCCOs accepted in the hub into Sage (long-polls the hub; outbound only).")
    var exports = true

    func run() async throws {
        guard interval >= 1 else { throw ValidationError("--interval must be at least 1 second") }
        let home = global.tielineHome
        let logger = Logger(label: "tieline.agent")
        let printer = SyncProgressPrinter(json: json)
        let service = AgentService(home: home, interval: .seconds(interval), deepNow: deepNow, logger: logger,
                                   onEvent: printer.handle) { hub, token in
            (try HubDestinationFactory.makeHubDestination(url: hub.url, token: token), "hub at \(hub.url)")
        }
        var services: [any Service] = [service]
        if console {
            let local = AgentConsole(home: home, host: consoleHost, port: consolePort, logger: Logger(label: "tieline.agent.console")) { hub, token in
                (try HubDestinationFactory.makeHubDestination(url: hub.url, token: token), "hub at \(hub.url)")
            }
            if consolePasswordStdin, !local.password.isSet {
                try await local.password.set(Console.current.readLine() ?? "")
            }
            if !Self.isLoopback(consoleHost) {
                // On the network, whoever opens the setup page first would own the console: the password must exist before it listens.
                guard local.password.isSet else {
                    throw ValidationError("--console-host \(consoleHost) is reachable from other machines: set the console password first (--console-password-stdin), or keep the console on 127.0.0.1 and reach it through an SSH tunnel")
                }
                Console.current.err("warning: the agent console listens on \(consoleHost) over plain HTTP; anyone who can reach it can try to sign in. Prefer 127.0.0.1 and an SSH tunnel.")
            }
            let firstStart = !local.password.isSet
            services.append(AgentConsoleService(console: local) { url in
                print("Agent console: \(url)" + (firstStart ? " (first start: open it to set the console password)" : ""))
                // Piped output (a script waiting for this line) is block-buffered otherwise.
                fflush(nil)
            })
        }
        if exports {
            services.append(ExportWorker(home: home, connectionName: exportConnection, onEvent: ExportProgressPrinter(json: json).handle))
        }
        logger.info("agent started: syncing every \(interval)s\(exports ? ", writing accepted PCCOs" : ""); home \(home.url.path)")
        try await ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
    }
}

extension AgentRunCommand {
    /// Whether `host` is this machine only.
    static func isLoopback(_ host: String) -> Bool {
        ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host.lowercased()) || host.hasPrefix("127.")
    }
}

/// Prints the export worker's events: a line each, or JSON lines.
struct ExportProgressPrinter: Sendable {
    var json: Bool

    func handle(_ event: ExportWorker.ExportEvent) {
        struct Line: Encodable { var event: String; var export: Int64?; var detail: String }
        let line: Line
        switch event {
        case .received(let id, let number): line = Line(event: "export_received", export: id, detail: "PCCO \(number)")
        case .written(let id, let r):
            line = Line(event: "export_written", export: id,
                        detail: "\(r.alreadyWritten ? "already in Sage: " : "")change order \(r.changeOrder) on contract \(r.contract), \(r.total)")
        case .failed(let id, let message): line = Line(event: "export_failed", export: id, detail: message)
        case .checked(let id, let problems):
            line = Line(event: "export_checked", export: id, detail: problems == 0 ? "Sage holds everything it refers to" : "\(counted(problems, "problem")) in Sage")
        case .uncheckable(let id, let message):
            line = Line(event: "export_check_failed", export: id, detail: "Sage could not be read to check it (the hub asks again later): \(message)")
        case .reported(let id, let status): line = Line(event: "export_reported", export: id, detail: status)
        case .waiting(let message): line = Line(event: "export_waiting", export: nil, detail: message)
        }
        if json {
            // One object per line, like the sync progress, so a script can read the stream.
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            Console.current.out(String(decoding: (try? encoder.encode(line)) ?? Data("{}".utf8), as: UTF8.self))
        } else {
            Console.current.out("export\(line.export.map { " \($0)" } ?? ""): \(line.detail)")
        }
    }
}

/// `tieline agent deep-sync`: asks the running agent for a Deep sync of every connection.
struct AgentDeepSyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deep-sync",
        abstract: "Ask the running agent for a Deep sync of every connection (within a second).")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try DeepSyncTrigger.request(home: global.tielineHome)
        print("Deep sync requested; the running agent starts it within a second (or at its next start).")
    }
}
