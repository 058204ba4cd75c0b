import Agent
import ArgumentParser
import SyncCore
import TielineCore

/// `tieline mappings …`: the Mappings → Advanced Mappings dialog of a Local Connection.
struct MappingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mappings",
        abstract: "Mappings / Advanced Mappings: which entities a connection syncs and which fields it sends.",
        discussion: """
            Setup guide steps 3–4. Entity names are hh2's, e.g. "Contract Item (CN)"; case does not \
            matter and the module suffix may be left out where unambiguous ("contract item"). \
            Enabling never unticks anything ("Do NOT remove any previously selected checkmarks"); \
            unticking needs --allow-removal.
            """,
        subcommands: [Show.self, Enable.self, Disable.self, Fields.self, Preset.self]
    )

    struct ConnectionOption: ParsableArguments {
        @Option(help: ArgumentHelp("The Local Connection.", valueName: "name")) var connection: String
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show every entity ticked or unticked, and Transaction (JC)'s field options on or cleared.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: ConnectionOption
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            try await reporting(json: json) {
                let connection = try AgentConfigStore(home: global.tielineHome).connection(target.connection)
                let summary = MappingsSummary(connection.mappings)
                if json { Console.current.json(summary) } else {
                    Console.current.out("Local Connection: \(connection.name)")
                    summary.lines.forEach(Console.current.out)
                }
            }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tick entities (additive: nothing already ticked is removed).",
            discussion: "Example: tieline mappings enable --connection Company \"Contract (CN)\" \"Contract Item (CN)\"")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: ConnectionOption
        @Argument(help: "Entities to tick.") var entities: [String]
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            try await reporting(json: json) {
                let change = try AgentConfigStore(home: global.tielineHome).enableEntities(entities, connection: target.connection)
                printChange(change, json: json)
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Untick entities; refused unless --allow-removal is given.",
            discussion: "The setup guide says not to remove checkmarks. This prints what depends on each entity (e.g. \"PCCO export needs Contract Item (CN)\") and changes nothing without --allow-removal.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: ConnectionOption
        @Argument(help: "Entities to untick.") var entities: [String]
        @Flag(help: "Confirm unticking entities that are ticked now.") var allowRemoval = false
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            try await reporting(json: json) {
                let store = AgentConfigStore(home: global.tielineHome)
                var warnings: [String] = []
                if allowRemoval {
                    // Say what breaks before it breaks, even when the user has confirmed.
                    let mappings = try store.connection(target.connection).mappings
                    for name in entities {
                        guard let entity = try? EntityCatalog.resolve(name), mappings.isEnabled(entity) else { continue }
                        warnings += Mappings.dependents(of: entity)
                    }
                    if !json { warnings.forEach { Console.current.err("warning: \($0)") } }
                }
                var change = try store.disableEntities(entities, connection: target.connection, allowRemoval: allowRemoval)
                if json { change.notes += warnings }
                printChange(change, json: json)
            }
        }
    }

    struct Fields: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Clear (--exclude) or restore (--include) an entity's field options.",
            discussion: """
                Setup guide step 4: highlight Transaction (JC) and clear its field options. Example:
                tieline mappings fields --connection Company "Transaction (JC)" --exclude "Credit Account" --exclude "Debit Account"
                Options: Commitment Change Order, Employee, Equipment, Credit Account, Debit Account, Pay ID, Reference 1, Reference 2.
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: ConnectionOption
        @Argument(help: "The entity, e.g. \"Transaction (JC)\".") var entity: String
        @Option(help: ArgumentHelp("A field option to clear (repeatable).", valueName: "option")) var exclude: [String] = []
        @Option(help: ArgumentHelp("A field option to turn back on (repeatable).", valueName: "option")) var include: [String] = []
        @Flag(help: "Print the result as JSON.") var json = false

        func validate() throws {
            if exclude.isEmpty && include.isEmpty { throw ValidationError("give at least one --exclude or --include") }
        }

        func run() async throws {
            try await reporting(json: json) {
                let change = try AgentConfigStore(home: global.tielineHome)
                    .setFieldOptions(entity: entity, exclude: exclude, include: include, connection: target.connection)
                printChange(change, json: json)
            }
        }
    }

    struct Preset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply a preset selection; pcco-export is the setup guide's steps 3 and 4 in one go.",
            discussion: """
                pcco-export ticks the twelve entities of step 3 (the two PJ ones only when the company owns \
                Project Management (PJ)) plus Transaction (JC), and clears Transaction (JC)'s Commitment Change \
                Order, Employee, Equipment, Credit Account and Debit Account. --strict also clears Pay ID, \
                Reference 1 and Reference 2. It never unticks or restores anything; running it again reports \
                "no changes".
                """)

        enum Name: String, ExpressibleByArgument, CaseIterable { case pccoExport = "pcco-export" }

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The preset: pcco-export.") var preset: Name
        @OptionGroup var target: ConnectionOption
        @Flag(help: "Show what would change; save nothing.") var dryRun = false
        @Flag(help: "Also clear Pay ID, Reference 1 and Reference 2 (the guide's newer variant).") var strict = false
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            try await reporting(json: json) {
                let change = try AgentConfigStore(home: global.tielineHome)
                    .applyPCCOPreset(connection: target.connection, strict: strict, dryRun: dryRun)
                if !json && dryRun { Console.current.out("Dry run: nothing saved. Would change:") }
                printChange(change, json: json, dryRun: dryRun)
            }
        }
    }
}

/// Prints a mappings diff (`+ Contract (CN)`, `○ Transaction (JC) › Employee (cleared)`, or `no changes`).
func printChange(_ change: MappingChange, json: Bool, dryRun: Bool = false) {
    if json {
        struct Envelope: Encodable { let change: MappingChange; let dryRun: Bool; let changed: Bool }
        Console.current.json(Envelope(change: change, dryRun: dryRun, changed: !change.isEmpty))
    } else {
        change.lines.forEach(Console.current.out)
    }
}
