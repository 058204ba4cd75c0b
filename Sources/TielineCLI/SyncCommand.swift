import ArgumentParser

/// `tieline sync …`: the Sync tab. `settings` lives here; `run` and `history` join at merge time.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "The Sync tab: per-connection Settings (Sync Type, Timeframe) and sync runs.",
        subcommands: [SyncSettingsCommand.self]
    )
}
