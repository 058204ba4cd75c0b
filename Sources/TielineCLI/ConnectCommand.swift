import Agent
import ArgumentParser
import Foundation
import TielineCore

/// `tieline connect`: Connect, the client's link to the cloud (the hub).
struct ConnectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect",
        abstract: "Connect this client to the cloud: hub URL, site and the site's agent token.",
        discussion: """
            Setup guide step 1 ("Connect"). The token is stored in an owner-only file (hub-token, \
            mode 0600) in the home folder and never printed back in full. Pass --token - to read it \
            from standard input instead of the command line. --check asks the hub whether it \
            accepts the token. --show prints the URL, the site and a masked token.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("The hub's URL, e.g. https://hub.example.com.", valueName: "url")) var hub: String?
    @Option(help: ArgumentHelp("The site (tenant) name the hub admin gave you.", valueName: "site")) var site: String?
    @Option(help: ArgumentHelp("The site's agent token, or - to read it from standard input.", valueName: "token")) var token: String?
    @Flag(help: "Print the stored connection (token masked).") var show = false
    @Flag(help: "Ask the hub whether it answers and accepts the token.") var check = false
    @Flag(help: "Print the result as JSON.") var json = false

    func validate() throws {
        let setting = hub != nil || site != nil || token != nil
        if setting && (hub == nil || site == nil || token == nil) {
            throw ValidationError("give all of --hub, --site and --token (or --show / --check alone)")
        }
        if !setting && !show && !check {
            throw ValidationError("give --hub, --site and --token to connect, or --show / --check")
        }
    }

    func run() async throws {
        try await reporting(json: json) {
            let store = AgentConfigStore(home: global.tielineHome)
            if let hub, let site, let token {
                let secret = token == "-" ? (Console.current.readLine() ?? "") : token
                try store.connect(url: hub, site: site, token: secret)
                if token != "-" {
                    // Anyone on this machine can read another process's arguments (ps, /proc).
                    Console.current.err("warning: a token given on the command line shows in `ps` and in shell history; prefer --token - and pipe or paste it on standard input")
                }
                if !json { Console.current.out("Connected: saved hub \(hub) for site \(site) (token stored in \(store.tokenURL.path), mode 0600)") }
            }
            let view = try ConnectionView.load(store)
            var probe: HubProbeResult?
            if check { probe = await HubProbe.check(view.hub, token: view.token) }
            if json {
                Console.current.json(view.output(probe: probe))
            } else {
                if show { view.lines.forEach(Console.current.out) }
                if let probe { Console.current.out("Check: \(probe.passed ? "OK" : "FAILED") — \(probe.summary)") }
            }
            // The failure was already printed as the check's result (or in the JSON's "check").
            if let probe, !probe.passed { throw ExitCode.failure }
        }
    }
}

/// The stored cloud connection, with the token kept out of anything printed.
struct ConnectionView {
    let hub: HubConnection
    let token: String

    static func load(_ store: AgentConfigStore) throws(TielineError) -> ConnectionView {
        guard let hub = try store.load().hub else {
            throw TielineError(.notConnected, "not connected yet; run: tieline connect --hub URL --site SITE --token - (it reads the token from standard input)")
        }
        guard let token = try store.loadToken(), !token.isEmpty else {
            throw TielineError(.notConnected, "no token stored for \(hub.url); run: tieline connect --hub \(hub.url) --site \(hub.site) --token - (it reads the token from standard input)")
        }
        return ConnectionView(hub: hub, token: token)
    }

    /// `Hub:`, `Site:` and `Token: tl_…9f3a`.
    var lines: [String] {
        ["Hub: \(hub.url)", "Site: \(hub.site)", "Token: \(HubToken.masked(token))"]
    }

    struct Output: Encodable {
        let hub: String
        let site: String
        let token: String
        let check: CheckOutput?
    }

    struct CheckOutput: Encodable {
        let ok: Bool
        let message: String
    }

    func output(probe: HubProbeResult?) -> Output {
        Output(hub: hub.url, site: hub.site, token: HubToken.masked(token),
               check: probe.map { CheckOutput(ok: $0.passed, message: $0.summary) })
    }
}
