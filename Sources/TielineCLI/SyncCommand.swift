import ArgumentParser

// MERGE: placeholder so this branch can run its subcommands. The `sync` group belongs to
// the setup branch's SyncCommand.swift: keep that file and add SyncRunCommand.self and
// SyncHistoryCommand.self to its subcommands.

/// `tieline sync`: run syncs and read their history.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync Local Connections to the hub.",
        subcommands: [SyncRunCommand.self, SyncHistoryCommand.self])
}
