import ArgumentParser
import Foundation
import TielineCore

/// The `tieline` command tree.
public struct TielineCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tieline",
        abstract: "Synchronize Procore with Sage 300 CRE: export approved PCCOs, mirror ERP data.",
        subcommands: [
            DemoCommand.self,
            SampleCompanyCommand.self,
            SageCommand.self,
            ProcoreSandboxCommand.self,
            ConnectCommand.self,
            ConnectionsCommand.self,
            MappingsCommand.self,
            SyncCommand.self,
            DoctorCommand.self,
            AgentCommand.self,
            HubCommand.self,
            ExportsCommand.self,
        ]
    )
    public init() {}

    /// Parses the process arguments and runs the chosen command, async or not.
    public static func runMain(_ arguments: [String]? = nil) async {
        ProcessMemory.limitArenas()
        SQLiteSetup.start()
        do {
            var command = try parseAsRoot(liftingLeadingHome(arguments ?? Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as TielineError {
            // One place for every command: `error: <message>` on stderr, exit 1.
            Console.current.err("error: \(error.message)")
            exit(withError: ExitCode.failure)
        } catch {
            exit(withError: error)
        }
    }

    /// `tieline --home DIR demo` works like `tieline demo --home DIR`: a leading `--home` becomes
    /// TIELINE_HOME, which every command's GlobalOptions falls back to.
    static func liftingLeadingHome(_ arguments: [String]) -> [String] {
        var rest = arguments[...]
        while let first = rest.first, first.hasPrefix("--home") {
            if first == "--home", rest.count >= 2 {
                setenv("TIELINE_HOME", rest[rest.startIndex + 1], 1)
                rest = rest.dropFirst(2)
            } else if first.hasPrefix("--home=") {
                setenv("TIELINE_HOME", String(first.dropFirst("--home=".count)), 1)
                rest = rest.dropFirst()
            } else {
                break
            }
        }
        return Array(rest)
    }
}
