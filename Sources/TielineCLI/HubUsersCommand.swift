import ArgumentParser
import Foundation
import Hub
import HubConsole
import TielineCore

/// `tieline hub users`: the people who sign in to a site's web console, and their roles.
struct HubUsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Web console users of a site: accounting approvers, viewers and site admins.",
        subcommands: [Add.self, List.self, Password.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a console user to a site (prompts for the password, or reads it with --password-stdin).",
            discussion: "Roles: approver (Accepts and Rejects PCCOs), viewer (sees, changes nothing), admin (an approver who also manages the site's users).")
        @OptionGroup var database: HubCommand.DatabaseOption
        @Argument(help: "The site.") var site: String
        @Argument(help: "The user name.") var user: String
        @Option(help: ArgumentHelp("approver, viewer or admin.", valueName: "role")) var role: String
        @Flag(help: "Read the password from standard input (one line) instead of prompting.") var passwordStdin = false

        func run() async throws {
            try await reporting(json: false) {
                let role = try ConsoleRole(argument: role)
                let password = try PasswordInput.read(stdin: passwordStdin, confirm: true)
                let added = try await database.withAccounts {
                    try await ConsoleUsers.add(site: site, name: user, role: role, password: password, accounts: $0)
                }
                Console.current.out("Added \(added.name) to site \(added.site.name) as \(added.role.label) in \(try database.location()); they sign in at /console")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a site's console users.")
        @OptionGroup var database: HubCommand.DatabaseOption
        @Argument(help: "The site.") var site: String

        func run() async throws {
            try await reporting(json: false) {
                let users = try await database.withAccounts { try await $0.consoleUsers(site: site) }
                if users.isEmpty { Console.current.out("no console users on \(site) yet; add one with: tieline hub users add \(site) USER --role approver") }
                for user in users { Console.current.out("\(user.name)  \(user.role.rawValue)  added \(user.createdAt)") }
            }
        }
    }

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a console user's password (their sessions end).")
        @OptionGroup var database: HubCommand.DatabaseOption
        @Argument(help: "The site.") var site: String
        @Argument(help: "The user name.") var user: String
        @Flag(help: "Read the password from standard input (one line) instead of prompting.") var passwordStdin = false

        func run() async throws {
            try await reporting(json: false) {
                let password = try PasswordInput.read(stdin: passwordStdin, confirm: true)
                _ = try await database.withAccounts { try await ConsoleUsers.setPassword(site: site, name: user, password: password, accounts: $0) }
                Console.current.out("Password of \(user) on \(site) changed; their open sessions were ended")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a console user from a site.")
        @OptionGroup var database: HubCommand.DatabaseOption
        @Argument(help: "The site.") var site: String
        @Argument(help: "The user name.") var user: String

        func run() async throws {
            try await reporting(json: false) {
                try await database.withAccounts { try await $0.removeConsoleUser(site: site, name: user) }
                Console.current.out("Removed \(user) from \(site)")
            }
        }
    }
}

/// Reads a password without echoing it on a terminal, or one line from standard input.
enum PasswordInput {
    static func read(stdin: Bool, confirm: Bool) throws(TielineError) -> String {
        if stdin || isatty(STDIN_FILENO) != 1 {
            guard let line = Console.current.readLine(), !line.isEmpty else {
                throw TielineError(.invalidInput, "no password on standard input")
            }
            return line
        }
        let first = prompt("Password: ")
        if confirm {
            guard prompt("Again: ") == first else { throw TielineError(.invalidInput, "the two passwords differ") }
        }
        return first
    }

    /// Turns terminal echo off while the password is typed.
    static func prompt(_ text: String) -> String {
        FileHandle.standardError.write(Data(text.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine(strippingNewline: true) ?? ""
    }
}
