// TielineCLI
import ArgumentParser

/// The `tieline` command tree.
public struct TielineCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tieline",
        abstract: "Synchronize Procore with Sage 300 CRE: export approved PCCOs, mirror ERP data.",
        subcommands: [
            ConnectCommand.self, ConnectionsCommand.self, MappingsCommand.self, SyncCommand.self, DoctorCommand.self,
        ]
    )
    public init() {}

    /// Parses the process's arguments and runs the chosen command asynchronously.
    ///
    /// main.swift calls this rather than `main()`: in top-level code `await TielineCommand.main()`
    /// resolves to ParsableCommand's synchronous `main()`, which refuses to run async commands
    /// on Linux ("Asynchronous root command needs availability annotation").
    public static func launch() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
