import ArgumentParser

/// The `tieline` command tree.
public struct TielineCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tieline",
        abstract: "Synchronize Procore with Sage 300 CRE: export approved PCCOs, mirror ERP data.",
        subcommands: [HubCommand.self]
    )
    public init() {}
}
