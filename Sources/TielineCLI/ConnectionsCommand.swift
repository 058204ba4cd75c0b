import Agent
import ArgumentParser
import SyncCore
import TielineCore

/// `tieline connections …`: the Local Connections tab.
struct ConnectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connections",
        abstract: "Local Connections: the Sage 300 CRE companies this client reads from and writes to.",
        discussion: """
            Setup guide step 2 ("Local Connections tab"). Add a connection for each Sage company, \
            then tick its entities with `tieline mappings`.
            """,
        subcommands: [Add.self, List.self, Test.self, Remove.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a Local Connection to a Sage company.",
            discussion: "The file must be a Sage 300 CRE company store; anything else is refused with the reason.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "A name for the connection, e.g. Company.") var name: String
        @Option(help: ArgumentHelp("The Sage company store (a .sqlite file).", valueName: "file")) var sage: String?
        @Option(help: ArgumentHelp("""
            Read the company through ODBC instead, with this connection string (e.g. "DSN=Sage 300 CRE;UID=tieline;StandardMode=1"). \
            Read only: exports are never written through ODBC. Leave the password out of it.
            """, valueName: "connection-string")) var odbc: String?
        @Option(help: ArgumentHelp("The environment variable holding the ODBC password; it is read at each connect and never saved.",
                                   valueName: "variable")) var passwordEnv: String?
        @Option(help: ArgumentHelp("""
            '-' reads the ODBC password from stdin (one line); it is kept only sealed with the agent's key \
            (agent-secret.key in the home, mode 0600), never in clear and never on the command line.
            """, valueName: "-")) var password: String?
        @Option(help: ArgumentHelp("""
            How exports are written: 'transaction' (the whole PCCO in one transaction) or 'steps' (one commit per record, \
            as Sage's import programs write, made exactly-once by a plan recorded in the agent's database).
            """, valueName: "mode")) var writeMode: SageWriteMode = .transaction
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            try await reporting(json: json) {
                let store = AgentConfigStore(home: global.tielineHome)
                let connection: LocalConnection
                switch (sage, odbc) {
                case (let sage?, nil):
                    connection = try store.addConnection(name: name, sagePath: sage, writeMode: writeMode)
                case (nil, let odbc?):
                    var typed: String?
                    if let password {
                        // A password as an argument shows in `ps` and in shell history: only stdin is taken.
                        guard password == "-" else {
                            throw TielineError(.invalidInput, "--password takes only '-' (read it from stdin), so it never shows in the process list; or use --password-env VARIABLE")
                        }
                        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                            throw TielineError(.invalidInput, "--password -: no password on stdin")
                        }
                        typed = line
                    }
                    connection = try store.addODBCConnection(name: name, settings: ODBCSettings(connectionString: odbc, passwordVariable: passwordEnv),
                                                             password: typed)
                default:
                    throw TielineError(.invalidInput, "give the company as exactly one of --sage FILE or --odbc \"CONNECTION STRING\"")
                }
                if json { Console.current.json(ConnectionRow(connection)) } else {
                    Console.current.out("Added Local Connection '\(connection.name)' → \(connection.location)\(connection.odbc == nil ? "" : " (read only)")")
                    Console.current.out("Next: tieline mappings preset pcco-export --connection \(shellQuoted(connection.name))")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the Local Connections.")

        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            try await reporting(json: json) {
                let config = try AgentConfigStore(home: global.tielineHome).load()
                let rows = config.connections.map(ConnectionRow.init)
                if json { Console.current.json(rows); return }
                if rows.isEmpty { Console.current.out("No Local Connections yet. Add one: tieline connections add NAME --sage FILE") }
                for row in rows {
                    Console.current.out("\(row.name)  \(row.sagePath)  (\(row.mappedEntities) entities ticked; Sync Type: \(row.syncType), Timeframe: \(row.timeframe))")
                }
            }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open a connection's Sage company and count its rows per entity.",
            discussion: "Reports the company's modules (including Project Management (PJ)) and rows for every entity, marking the mapped ones.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The connection to test.") var name: String
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            try await reporting(json: json) {
                let connection = try AgentConfigStore(home: global.tielineHome).connection(name)
                let report = try ConnectionReport.test(connection, home: global.tielineHome)
                if json { Console.current.json(report) } else { report.lines.forEach(Console.current.out) }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a Local Connection.",
            discussion: "Its Advanced Mappings are discarded with it, so a connection with ticked entities needs --allow-removal.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The connection to remove.") var name: String
        @Flag(help: "Confirm discarding the connection's ticked entities.") var allowRemoval = false
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            try await reporting(json: json) {
                let removed = try AgentConfigStore(home: global.tielineHome).removeConnection(name: name, allowRemoval: allowRemoval)
                if json { Console.current.json(ConnectionRow(removed)) } else {
                    Console.current.out("Removed Local Connection '\(removed.name)' (the Sage company file was not touched)")
                }
            }
        }
    }
}

/// A connection as `connections list` shows it.
struct ConnectionRow: Encodable {
    let name: String
    let sagePath: String
    let mappedEntities: Int
    let syncType: String
    let timeframe: String
    let writeMode: String

    init(_ connection: LocalConnection) {
        writeMode = connection.writeMode.rawValue
        name = connection.name
        sagePath = connection.location
        mappedEntities = connection.mappings.enabled.count
        syncType = connection.settings.type.displayName
        timeframe = connection.settings.timeframe.description
    }
}

extension SageWriteMode: ExpressibleByArgument {}

/// Quotes an argument with spaces or parentheses so printed commands paste as-is.
func shellQuoted(_ text: String) -> String {
    text.contains(where: { " ()'\"&;$`".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\"" : text
}
