import ArgumentParser
import TielineCore

/// Options every command takes.
public struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Folder for everything Tieline writes (config, secrets, state).",
        discussion: "Defaults to $TIELINE_HOME, else ~/.tieline.", valueName: "dir"))
    public var home: String?

    public init() {}

    /// The resolved home folder.
    public var tielineHome: TielineHome { TielineHome.resolve(home) }
}
