// swift-tools-version:6.1
import PackageDescription

// Dependencies point one way: the command tree at the top, SageModel / Procore / TielineCore at
// the bottom. Hub and Agent never import each other; they share SyncCore's wire types.
let package = Package(
    name: "tieline",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tieline", targets: ["tieline"]),
        .executable(name: "tieline-bench", targets: ["TielineBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
    ],
    targets: [
        // Shared vocabulary: exact money, the internal PCCO export request, atomic files, coded errors.
        .target(name: "TielineCore", dependencies: [
            // SecretBox: AES-GCM for secrets that must be used later (Procore client secrets, ODBC passwords).
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Sage 300 CRE as data: tables, columns, field lengths, transaction types, rules (SageRules). No database;
        // the hub links only this, never SageStore.
        .target(name: "SageModel", dependencies: ["TielineCore"]),
        // The embedded Sage 300 CRE company store: SQLite through GRDB, triggers, Post Entries, the sample company.
        .target(name: "SageStore", dependencies: [
            "TielineCore", "SageModel",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .target(name: "SyncCore", dependencies: ["TielineCore", "SageModel"]),
        // Reads a database through the system's ODBC driver manager, loaded at run time (builds without unixODBC).
        .target(name: "SageODBC", dependencies: []),
        // Procore API client and payload types.
        .target(name: "Procore", dependencies: [
            "TielineCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // A Hummingbird server and its services started as one ServiceGroup, returning the bound port
        // (the hub, the agent console on its own, the Procore sandbox).
        .target(name: "ServerSupport", dependencies: [
            "TielineCore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            // The bound port of a server started on port 0 comes from NIO's Channel.
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The loopback stand-in for Procore's cloud.
        .target(name: "ProcoreSandbox", dependencies: [
            "TielineCore", "Procore", "ServerSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            // Sends Procore-style webhook deliveries.
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            // The webhook sender is a service of the sandbox's group.
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The synchronization client on the ERP server.
        .target(name: "Agent", dependencies: [
            "TielineCore", "SageModel", "SageStore", "SyncCore",
            // ODBC connections: a real Sage company read through the system's driver manager.
            "SageODBC",
            // agent.sqlite: sync runs and checkpoints; the reader's hot loop uses SQLite's C API.
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The cloud side: sites, mirror, export queue, Procore write-back.
        .target(name: "Hub", dependencies: [
            "TielineCore", "SyncCore", "Procore", "ServerSupport",
            // Sage's rules as data (the status that takes change orders), never the embedded store.
            "SageModel",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Crypto", package: "swift-crypto"),
            // The batch apply loop binds straight through SQLite's C API.
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            // ByteBuffers: request bodies and PostgreSQL's binary binds.
            .product(name: "NIOCore", package: "swift-nio"),
            // The PostgreSQL backend: a connection pool, LISTEN/NOTIFY for export wake-ups.
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        // What both web consoles share: sessions, CSRF, password hashing, forms, the page layout.
        .target(name: "ConsoleSupport", dependencies: [
            "TielineCore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            // bcrypt runs on NIO's thread pool, off the async executor.
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // The sync client's local console (`tieline agent run --console`): the Agent library in a browser.
        .target(name: "AgentConsole", dependencies: [
            "TielineCore", "SageModel", "SageStore", "SyncCore", "Agent", "ConsoleSupport", "ServerSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The hub's web console (`/console`): sign-in per site, dashboard, the export queue's approvals.
        .target(name: "HubConsole", dependencies: [
            "TielineCore", "SyncCore", "Hub", "ConsoleSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The command tree: parse, call a library, print.
        // One C call Swift cannot make (sqlite3_config is variadic), made once before SQLite starts.
        .target(name: "CSQLiteSetup", linkerSettings: [.linkedLibrary("sqlite3")]),
        .target(name: "TielineCLI", dependencies: [
            "TielineCore", "SageModel", "SageStore", "SyncCore", "Agent", "Hub", "Procore", "ProcoreSandbox",
            "AgentConsole", "HubConsole", "CSQLiteSetup",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ]),
        .executableTarget(name: "tieline", dependencies: ["TielineCLI"]),
        // The benchmarks, a program of their own (`swift run -c release tieline-bench ...`).
        .executableTarget(name: "TielineBench", dependencies: [
            "TielineCLI", "TielineCore", "SageStore", "SageModel", "Hub", "Agent", "SyncCore", "ProcoreSandbox",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .testTarget(name: "TielineCoreTests", dependencies: ["TielineCore"]),
        .testTarget(name: "ServerSupportTests", dependencies: [
            "ServerSupport", "TielineCore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "SageStoreTests", dependencies: ["SageStore", "SageModel", "TielineCore"],
                    // A company file written by the previous version (schema v1), to migrate.
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "SyncCoreTests", dependencies: ["SyncCore", "SageModel"]),
        // Against a real ODBC driver: unixODBC with Debian's SQLite3 driver (libsqliteodbc) over a SQLite file.
        .testTarget(name: "SageODBCTests", dependencies: ["SageODBC"]),
        .testTarget(name: "ProcoreTests", dependencies: ["Procore", "ProcoreSandbox", "TielineCore", "SageModel", "SageStore",
                                                         .product(name: "GRDB", package: "GRDB.swift"),
                                                         .product(name: "Logging", package: "swift-log")],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "AgentTests", dependencies: [
            "Agent", "SyncCore", "SageModel", "SageStore", "TielineCore",
            // Procore's documented payloads parsed as the hub parses them, then written by the real writer.
            "Procore",
            .product(name: "GRDB", package: "GRDB.swift"),
            // A tiny loopback hub for HubProbe's tests.
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        .testTarget(name: "HubTests", dependencies: [
            "Hub", "SyncCore", "Procore", "Agent", "TielineCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            // Creates and drops a fresh database per PostgreSQL test case.
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        .testTarget(name: "ConsoleTests", dependencies: [
            "ConsoleSupport", "AgentConsole", "HubConsole", "Hub", "Agent", "SyncCore", "SageModel", "SageStore", "TielineCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .testTarget(name: "TielineCLITests", dependencies: [
            "TielineCLI", "Agent", "Hub", "SyncCore", "SageModel", "SageStore", "TielineCore", "Procore", "ProcoreSandbox",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "GRDB", package: "GRDB.swift"),
            // Reads the hub console's dashboard after a real staging.
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
