import Agent
import ArgumentParser
import SyncCore
import TielineCore

/// `tieline sync settings`: the Sync tab's Settings dialog for one connection.
struct SyncSettingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "Show or set a connection's Sync Type and Timeframe (the Sync tab's Settings dialog).",
        discussion: """
            Setup guide step 5 (Sync Type Deep, timeframe The beginning of time):
              tieline sync settings --connection Company --type deep \\
                --timeframe beginning-of-time
            Timeframes: beginning-of-time, since:YYYY-MM-DD, last:N followed by d, m or y (e.g. last:90d).
            Without --type or --timeframe (or with --show) the current settings are printed.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("The Local Connection.", valueName: "name")) var connection: String
    @Option(help: ArgumentHelp("Sync Type: deep (re-read everything in the timeframe) or incremental (only changes).", valueName: "deep|incremental"))
    var type: String?
    @Option(help: ArgumentHelp("How far back to read dated records.", valueName: "beginning-of-time|since:YYYY-MM-DD|last:N(d|m|y)"))
    var timeframe: String?
    @Flag(help: "Print the current settings.") var show = false
    @Flag(help: "Print the result as JSON.") var json = false

    func validate() throws {
        if show && (type != nil || timeframe != nil) {
            throw ValidationError("--show prints the settings; leave out --type and --timeframe, or leave out --show to change them")
        }
    }

    func run() async throws {
        try await reporting(json: json) {
            let store = AgentConfigStore(home: global.tielineHome)
            let settings: SyncSettings
            if type == nil && timeframe == nil {
                settings = try store.connection(connection).settings
            } else {
                // Parsed here rather than via ExpressibleByArgument so the error is a coded TielineError
                // and no retroactive conformance can clash with `sync run`'s.
                let parsedType = try type.map { text throws(TielineError) in try SyncType(argument: text) }
                let parsed = try timeframe.map { text throws(TielineError) in try Timeframe(parsing: text) }
                settings = try store.setSyncSettings(connection: connection, type: parsedType, timeframe: parsed)
            }
            if json {
                Console.current.json(SettingsView(connection: connection, settings: settings))
            } else {
                Console.current.out("Settings for \(connection):")
                settings.lines.forEach { Console.current.out("  " + $0) }
            }
        }
    }
}

/// The settings as `--json` prints them: the argument forms and hh2's words.
struct SettingsView: Encodable {
    let connection: String
    let type: String
    let syncType: String
    let timeframe: String
    let timeframeDescription: String

    init(connection: String, settings: SyncSettings) {
        self.connection = connection
        type = settings.type.rawValue
        syncType = settings.type.displayName
        timeframe = settings.timeframe.argument
        timeframeDescription = settings.timeframe.description
    }
}
