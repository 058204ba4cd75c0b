import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization
import SyncCore
import TielineCore

/// `HubStorage` in a PostgreSQL database, shared safely by several hub processes.
///
/// A `PostgresClient` pool does the work; one pooled connection LISTENs on `tieline_exports` so an
/// export accepted by any hub process wakes this process's long-polls. Semantics match
/// `SQLiteHubStorage` exactly; where SQLite relies on its single writer, this uses row locks.
///
/// The pool and the LISTEN loop run as child tasks of `run()` (postgres-nio's pattern: `PostgresClient.run()`
/// inside a task group or ServiceGroup), so the storage is a `Service`: one of the hub's ServiceGroup
/// (`HubServer.start(…, runStorage: true)`), or run for a scope with `PostgresHubStorage.with` /
/// `HubDatabase.withStorage`. Queries made before `run()` starts wait for it.
public final class PostgresHubStorage: HubStorage {
    /// Validation's recent answers from the mirror (forgotten per site as batches and completions change it).
    public let mirrorFacts = MirrorFacts()
    /// Where the database is (its `description` hides the password).
    public let location: PostgresLocation
    let client: PostgresClient
    let logger: Logger
    /// Wakes this process's long-polls; fed by this process's writes and by the LISTEN connection.
    let signal = ExportSignal()
    /// How often a waiting long-poll looks at the database besides being woken by NOTIFY.
    let recheck: Duration
    /// Cost-code index entries this process has stored (the index only grows), so batches skip re-sending them.
    let costCodes = KnownCostCodes()
    /// Which site entities still take plain INSERTs (no key of theirs met yet).
    let insertsOnly = InsertsOnly()
    /// The mirror's entity ids by name.
    let entityIDs = EntityIDs()
    /// Whether the LISTEN connection is up.
    let listener = ListenerState()
    /// Whether `run()` was called: the pool runs once.
    private let started = Atomic<Bool>(false)

    /// The NOTIFY channel; the payload is the site id whose export became claimable.
    static let exportsChannel = "tieline_exports"

    /// Connects, migrates the schema and sets up the pool (which `run()` runs); fails at once (naming the server,
    /// never the password) when it cannot.
    /// `recheck` is how often a waiting export long-poll also looks at the database, in case a NOTIFY was missed.
    public init(_ location: PostgresLocation, maxConnections: Int = 20, recheck: Duration = .seconds(1),
                logger: Logger = Logger(label: "tieline.hub.postgres")) async throws {
        self.location = location
        self.logger = logger
        self.recheck = recheck
        // One direct connection first: the pool retries a dead server for a minute, a person wants the reason now.
        do {
            let connection = try await PostgresConnection.connect(configuration: try location.connectionConfiguration(), id: 0, logger: logger)
            do {
                try await PostgresHubSchema.migrate(connection, logger: logger)
            } catch {
                try? await connection.close()
                throw error
            }
            try? await connection.close()
        } catch let error as TielineError {
            throw error
        } catch {
            throw TielineError(.storageFailure, "cannot open the hub database \(location): \(Self.reason(error))")
        }
        var configuration = location.clientConfiguration
        configuration.options.maximumConnections = max(2, maxConnections)
        // The pool warns when a lease comes before `run()` has started it (a request racing the hub's start); the
        // lease just waits, so only errors are kept.
        var background = logger
        background.logLevel = max(logger.logLevel, .error)
        client = PostgresClient(configuration: configuration, backgroundLogger: background)
    }

    /// Runs the pool and the LISTEN loop until a graceful shutdown or cancellation: then the LISTEN loop ends
    /// first and the pool closes its connections after it. Call it once.
    public func run() async throws {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else {
            throw TielineError(.internalError, "the hub database \(location) is already running")
        }
        let (client, signal, listener, logger) = (client, signal, listener, logger)
        await withDiscardingTaskGroup { group in
            group.addTask { await client.run() }
            await cancelWhenGracefulShutdown { await Self.listen(client, signal: signal, state: listener, logger: logger) }
            group.cancelAll()
        }
    }

    /// Opens the database, runs `body` with the storage running, and stops it afterwards (also when `body` throws).
    public static func with<T>(_ location: PostgresLocation, maxConnections: Int = 20, recheck: Duration = .seconds(1),
                               logger: Logger = Logger(label: "tieline.hub.postgres"),
                               _ body: (PostgresHubStorage) async throws -> T) async throws -> T {
        let storage = try await PostgresHubStorage(location, maxConnections: maxConnections, recheck: recheck, logger: logger)
        return try await storage.withRunning { try await body(storage) }
    }

    static func now() -> String { Date().ISO8601Format() }

    public func addSite(_ name: String) async throws -> String {
        let name = try StorageRules.siteName(name)
        let token = SiteToken.generate()
        try await transaction { db in
            let now = Self.now()
            // ON CONFLICT, not a look first: two processes adding one name must not both succeed.
            guard let id = try await db.one("INSERT INTO site (name, created_at) VALUES (\(name), \(now)) ON CONFLICT (name) DO NOTHING RETURNING id",
                                            Int64.self) else {
                throw StorageRules.siteExists(name)
            }
            try await db.run("INSERT INTO site_token (token_hash, site_id, created_at) VALUES (\(SiteToken.hash(token)), \(id), \(now))")
        }
        return token
    }

    public func sites() async throws -> [HubSite] {
        try await read { db in
            try await db.all("""
                SELECT s.id, s.name, s.created_at,
                       (SELECT COUNT(*) FROM site_token t WHERE t.site_id = s.id AND t.revoked_at IS NULL) AS active
                FROM site s ORDER BY s.name
                """, (Int64, String, String, Int).self).map { HubSite(id: $0.0, name: $0.1, createdAt: $0.2, activeTokens: $0.3) }
        }
    }

    public func rotateToken(site name: String) async throws -> String {
        let token = SiteToken.generate()
        try await transaction { db in
            let id = try await Self.siteID(named: name, db)
            let now = Self.now()
            try await db.run("UPDATE site_token SET revoked_at = \(now) WHERE site_id = \(id) AND revoked_at IS NULL")
            try await db.run("INSERT INTO site_token (token_hash, site_id, created_at) VALUES (\(SiteToken.hash(token)), \(id), \(now))")
        }
        return token
    }

    public func revokeTokens(site name: String) async throws {
        try await transaction { db in
            let id = try await Self.siteID(named: name, db)
            try await db.run("UPDATE site_token SET revoked_at = \(Self.now()) WHERE site_id = \(id) AND revoked_at IS NULL")
        }
    }

    public func site(forToken token: String) async throws -> HubSite? {
        // Only well-formed tokens reach the database; anything else cannot match a stored hash.
        guard token.hasPrefix("tl_"), token.count < 200 else { return nil }
        let hash = SiteToken.hash(token)
        return try await read { db in
            try await db.one("""
                SELECT s.id, s.name, s.created_at FROM site_token t JOIN site s ON s.id = t.site_id
                WHERE t.token_hash = \(hash) AND t.revoked_at IS NULL
                """, (Int64, String, String).self).map { HubSite(id: $0.0, name: $0.1, createdAt: $0.2, activeTokens: 1) }
        }
    }

    static func siteID(named name: String, _ db: PostgresDB) async throws -> Int64 {
        guard let id = try await db.one("SELECT id FROM site WHERE name = \(name)", Int64.self) else {
            let known = try await db.all("SELECT name FROM site ORDER BY name", String.self)
            throw StorageRules.noSite(name, known: known)
        }
        return id
    }
}
