import Agent
import ArgumentParser
import TielineCore

/// `tieline doctor`: is this client ready to export PCCOs?
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check every prerequisite of PCCO export and print the command that fixes each failure.",
        discussion: """
            Checks, in the setup guide's order: the Sage connection opens and is a Sage company; the \
            company has an Approved CN contract; the cloud connection answers and accepts the token; \
            every entity PCCO export needs is ticked; Transaction (JC)'s field options are cleared; a \
            Deep sync from The beginning of time has completed. Exits non-zero when any check fails.
            Also remember the guide's "Things to consider": run the client with an account that has \
            administrative privileges on the Sage 300 CRE server, and PCCO sync is one way — change \
            orders made in Sage are never imported into Procore.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Check only this Local Connection (default: all).", valueName: "name")) var connection: String?
    @Flag(help: "Print the result as JSON.") var json = false

    func run() async throws {
        try await reporting(json: json) {
            let report = try await Doctor(store: AgentConfigStore(home: global.tielineHome)).run(connection: connection)
            if json {
                struct Output: Encodable { let ready: Bool; let checks: [DoctorCheck] }
                Console.current.json(Output(ready: report.passed, checks: report.checks))
            } else {
                report.lines.forEach(Console.current.out)
            }
            if !report.passed { throw ExitCode.failure }
        }
    }
}
