import Foundation
import Hub
import Testing
import TielineCore

/// `--database` values: the scheme picks the backend, and passwords never appear in messages.
@Suite struct HubDatabaseTests {
    @Test func parsesSQLiteForms() throws {
        #expect(try HubDatabase(parsing: "sqlite:/var/lib/hub.sqlite") == .sqlite(path: "/var/lib/hub.sqlite"))
        #expect(try HubDatabase(parsing: "sqlite:///var/lib/hub.sqlite") == .sqlite(path: "/var/lib/hub.sqlite"))
        #expect(try HubDatabase(parsing: "/tmp/hub.sqlite") == .sqlite(path: "/tmp/hub.sqlite"))
    }

    @Test func parsesPostgresURLs() throws {
        let plain = try HubDatabase(parsing: "postgres://tieline@db.example:6432/hub", environment: [:])
        #expect(plain == .postgres(PostgresLocation(host: "db.example", port: 6432, user: "tieline", database: "hub")))
        #expect(plain.description == "postgres://tieline@db.example:6432/hub")
        let full = try HubDatabase(parsing: "postgresql://hub%40corp:p%40ss:word@127.0.0.1/tieline?sslmode=disable", environment: ["PGPASSWORD": "other"])
        guard case .postgres(let location) = full else { Issue.record("not PostgreSQL"); return }
        #expect(location.user == "hub@corp" && location.password == "p@ss:word" && location.port == 5432 && location.sslMode == .disable)
        #expect(full.description == "postgres://hub%40corp:***@127.0.0.1:5432/tieline?sslmode=disable")
        #expect(!full.description.contains("word"))
        // Without one in the URL, the password comes from PGPASSWORD and is just as hidden.
        let fromEnvironment = try HubDatabase(parsing: "postgres://hub@127.0.0.1:5433/tieline", environment: ["PGPASSWORD": "hunter2"])
        #expect(fromEnvironment == .postgres(PostgresLocation(host: "127.0.0.1", port: 5433, user: "hub", password: "hunter2", database: "tieline")))
        #expect(fromEnvironment.description == "postgres://hub:***@127.0.0.1:5433/tieline")
    }

    @Test func refusalsNameThePartAndHideThePassword() throws {
        let cases = [
            ("postgres://u:hunter2@/db", "has no host"),
            ("postgres://:hunter2@h/db", "has no user"),
            ("postgres://u:hunter2@h:5432", "names no database"),
            ("postgres://u:hunter2@h/db?sslmode=maybe", "sslmode must be"),
            ("postgres://u:hunter2@h/db?pool=3", "unknown parameter 'pool'"),
            ("mysql://u:hunter2@h/db", "use sqlite:FILE or postgres://"),
        ]
        for (text, fragment) in cases {
            let error = #expect(throws: TielineError.self) { try HubDatabase(parsing: text) }
            #expect(error?.code == .invalidInput)
            #expect(error?.message.contains(fragment) == true, "\(text): \(error?.message ?? "")")
            #expect(error?.message.contains("hunter2") == false)
        }
    }
}
