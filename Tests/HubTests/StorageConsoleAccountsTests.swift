import Foundation
import Hub
import Testing
import TielineCore

/// Console users and sessions as `ConsoleAccounts` promises them, on every backend.
@Suite struct StorageConsoleAccountsTests {
    @Test(arguments: Backend.all) func usersAndSessionsFollowTheContract(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, _ in
            let accounts = try #require(storage as? any ConsoleAccounts)
            _ = try await storage.addSite("acme")
            _ = try await storage.addSite("globex")
            let ann = try await accounts.addConsoleUser(site: "acme", name: "ann", role: .approver, passwordHash: "h1")
            _ = try await accounts.addConsoleUser(site: "acme", name: "ada", role: .admin, passwordHash: "h2")
            _ = try await accounts.addConsoleUser(site: "globex", name: "ann", role: .viewer, passwordHash: "h3")
            #expect(ann.site.name == "acme" && ann.role == .approver)
            let duplicate = await #expect(throws: TielineError.self) {
                try await accounts.addConsoleUser(site: "acme", name: "ann", role: .viewer, passwordHash: "x")
            }
            #expect(duplicate?.code == .conflict)
            #expect(duplicate?.message == "site 'acme' already has a user named 'ann'")
            let unknownSite = await #expect(throws: TielineError.self) {
                try await accounts.addConsoleUser(site: "nope", name: "ann", role: .viewer, passwordHash: "x")
            }
            #expect(unknownSite?.code == .notFound)
            #expect(try await accounts.consoleUsers(site: "acme").map(\.name) == ["ada", "ann"])
            #expect(try await accounts.consoleCredentials(site: "globex", name: "ann")?.passwordHash == "h3")
            #expect(try await accounts.consoleCredentials(site: "nope", name: "ann") == nil)

            let now = Date(timeIntervalSince1970: 1_800_000_000)
            try await accounts.createConsoleSession(idHash: "s1", userID: ann.id, csrf: "c1", now: now, expiresAt: now.addingTimeInterval(60))
            let session = try #require(try await accounts.consoleSession(idHash: "s1", now: now.addingTimeInterval(30), extendTo: now.addingTimeInterval(90)))
            #expect(session.user.name == "ann" && session.csrf == "c1" && session.expiresAt == now.addingTimeInterval(90))
            // Extended: still valid past the first expiry; gone once the extension lapses.
            #expect(try await accounts.consoleSession(idHash: "s1", now: now.addingTimeInterval(80), extendTo: now.addingTimeInterval(85)) != nil)
            #expect(try await accounts.consoleSession(idHash: "s1", now: now.addingTimeInterval(86), extendTo: now.addingTimeInterval(200)) == nil)

            // A new password ends the user's sessions; a role change alone does not.
            try await accounts.createConsoleSession(idHash: "s2", userID: ann.id, csrf: "c2", now: now, expiresAt: now.addingTimeInterval(600))
            #expect(try await accounts.updateConsoleUser(site: "acme", name: "ann", role: .viewer, passwordHash: nil).role == .viewer)
            #expect(try await accounts.consoleSession(idHash: "s2", now: now, extendTo: now.addingTimeInterval(600)) != nil)
            _ = try await accounts.updateConsoleUser(site: "acme", name: "ann", role: nil, passwordHash: "h9")
            #expect(try await accounts.consoleSession(idHash: "s2", now: now, extendTo: now.addingTimeInterval(600)) == nil)
            #expect(try await accounts.consoleCredentials(site: "acme", name: "ann")?.passwordHash == "h9")

            try await accounts.createConsoleSession(idHash: "s3", userID: ann.id, csrf: "c3", now: now, expiresAt: now.addingTimeInterval(600))
            try await accounts.deleteConsoleSession(idHash: "s3")
            #expect(try await accounts.consoleSession(idHash: "s3", now: now, extendTo: now) == nil)
            try await accounts.removeConsoleUser(site: "acme", name: "ann")
            #expect(try await accounts.consoleUsers(site: "acme").map(\.name) == ["ada"])
            let gone = await #expect(throws: TielineError.self) { try await accounts.removeConsoleUser(site: "acme", name: "ann") }
            #expect(gone?.message == "site 'acme' has no user named 'ann'")
        }
    }

    @Test(arguments: Backend.all) func claimsInBatchesOldestFirstOnce(_ backend: Backend) async throws {
        try await TestDatabase.with(backend) { storage, _ in
            let site = try await StorageFixtures.siteWithRun(storage)
            for n in 0..<5 {
                let export = StorageFixtures.export(pcco: 100 + n, status: .accepted)
                _ = try await storage.insertExport(export, event: StorageFixtures.received(export), site: site)
            }
            let first = try await storage.claimExports(site: site, agent: "a", now: StorageFixtures.now, lease: 60, max: 3, purpose: .write)
            #expect(first.map(\.pccoID) == [100, 101, 102])
            #expect(first.allSatisfy { $0.status == .exporting && $0.claimedBy == "a" && $0.deliveries == 1 })
            let rest = try await storage.claimExports(site: site, agent: "b", now: StorageFixtures.now, lease: 60, max: 10, purpose: .write)
            #expect(rest.map(\.pccoID) == [103, 104])
            #expect(try await storage.claimExports(site: site, agent: "c", now: StorageFixtures.now, lease: 60, max: 10, purpose: .write).isEmpty)
        }
    }
}
