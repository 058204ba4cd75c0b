import ArgumentParser

/// `tieline sync …`: the Sync tab. Settings, runs and their history.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "The Sync tab: per-connection Settings (Sync Type, Timeframe) and sync runs.",
        subcommands: [SyncSettingsCommand.self, SyncRunCommand.self, SyncHistoryCommand.self]
    )
}
