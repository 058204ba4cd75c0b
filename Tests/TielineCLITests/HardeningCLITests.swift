import Foundation
import Testing
@testable import TielineCLI

/// What #17's review found on the command line: tokens and passwords from stdin, hints that keep secrets
/// out of `ps`, and hub commands that say which database they looked in.
@Suite struct HardeningCLITests {
    @Test func connectWithTokenDashReadsTheTokenFromStdinAndDoesNotWarn() async throws {
        let home = try makeHomeWithCompany(pj: false)
        defer { try? FileManager.default.removeItem(at: home) }
        let piped = await tieline(["connect", "--hub", "http://127.0.0.1:9", "--site", "acme", "--token", "-"], home: home,
                                  stdin: "tl_from_stdin_0123456789\n")
        #expect(piped.status == 0, "\(piped.err)")
        #expect(!piped.err.contains("warning"), "\(piped.err)")
        let stored = try String(contentsOf: home.appendingPathComponent("hub-token"), encoding: .utf8)
        #expect(stored.trimmingCharacters(in: .whitespacesAndNewlines) == "tl_from_stdin_0123456789")
        #expect(!piped.out.contains("tl_from_stdin_0123456789"), "never printed back")
        // A token in the arguments still works, and says it shows in `ps`.
        let argument = await tieline(["connect", "--hub", "http://127.0.0.1:9", "--site", "acme", "--token", "tl_in_args_0123456789"], home: home)
        #expect(argument.status == 0)
        #expect(argument.err.contains("warning: a token given on the command line shows in `ps`"), "\(argument.err)")
    }

    @Test func hintsToConnectSayTokenDash() async throws {
        let home = try makeHomeWithCompany(pj: false)
        defer { try? FileManager.default.removeItem(at: home) }
        _ = await tieline(["connections", "add", "Company", "--sage", home.appendingPathComponent("company.sqlite").path], home: home)
        let sync = await tieline(["sync", "run", "--connection", "Company"], home: home)
        #expect(sync.status != 0)
        #expect(sync.err.contains("tieline connect --hub URL --site SITE --token -` first"), "\(sync.err)")
        let show = await tieline(["connect", "--show"], home: home)
        #expect(show.err.contains("tieline connect --hub URL --site SITE --token - ("), "\(show.err)")
        let doctor = await tieline(["doctor"], home: home)
        #expect(doctor.out.contains("fix: tieline connect --hub https://HUB --site SITE --token - --check"), "\(doctor.out)")
        for result in [sync, show, doctor] {
            #expect(!(result.out + result.err).contains("--token TOKEN"))
        }
    }

    /// `agent run --console-host` off loopback with the password on stdin: set before listening, and a warning.
    @Test func aConsoleOffLoopbackTakesItsPasswordFromStdinAndWarns() async throws {
        let home = try makeHomeWithCompany(pj: false)
        defer { try? FileManager.default.removeItem(at: home) }
        // 192.0.2.1 is a documentation address (RFC 5737) no machine holds: the console cannot bind it, so the run ends there.
        let result = await tieline(["agent", "run", "--console", "--console-host", "192.0.2.1", "--console-password-stdin", "--no-exports"],
                                   home: home, stdin: "a console password from stdin\n")
        #expect(result.err.contains("warning: the agent console listens on 192.0.2.1 over plain HTTP"), "\(result.err)")
        #expect(!result.err.contains("set the console password first"), "\(result.err)")
        let hash = try String(contentsOf: home.appendingPathComponent("console-password"), encoding: .utf8)
        #expect(hash.hasPrefix("$2") && !hash.contains("a console password from stdin"), "stored bcrypt-hashed")
        #expect(result.status != 0, "192.0.2.1 cannot be bound")
    }

    @Test func hubCommandsSayWhichDatabaseHasNoSites() async throws {
        let home = try makeHomeWithCompany(pj: false)
        defer { try? FileManager.default.removeItem(at: home) }
        let defaultDB = home.appendingPathComponent("hub.sqlite").path
        let list = await tieline(["exports", "list"], home: home)
        #expect(list.status != 0)
        #expect(list.err.contains("the hub database \(defaultDB) (the default without --database) has no sites yet"), "\(list.err)")
        let other = home.appendingPathComponent("other.sqlite").path
        let explicit = await tieline(["exports", "list", "--database", "sqlite:" + other], home: home)
        #expect(explicit.err.contains("the hub database \(other) has no sites yet"), "\(explicit.err)")
        let user = await tieline(["hub", "users", "add", "acme", "alice", "--role", "approver", "--password-stdin"], home: home, stdin: "a long enough password\n")
        #expect(user.status != 0)
        #expect(user.err.contains("no site named 'acme'") && user.err.contains("the hub database \(defaultDB) (the default without --database) has no sites yet"),
                "\(user.err)")
        let sites = await tieline(["hub", "sites", "list"], home: home)
        #expect(sites.out.contains("the hub database \(defaultDB) (the default without --database) has no sites yet"), "\(sites.out)")
        // Once the database has a site, a name not found is only that.
        #expect(await tieline(["hub", "sites", "add", "globex"], home: home).status == 0)
        let missing = await tieline(["hub", "users", "add", "acme", "alice", "--role", "approver", "--password-stdin"], home: home, stdin: "a long enough password\n")
        #expect(missing.err.contains("no site named 'acme'") && !missing.err.contains("has no sites yet"), "\(missing.err)")
    }
}
