import ArgumentParser
import Foundation
import SageStore
import SageModel
import TielineCLI
import TielineCore

/// What one `tieline …` invocation printed and how it exited.
struct CLIResult {
    let status: Int32
    let out: String
    let err: String
}

/// Runs `tieline <args> --home <home>` in-process, capturing its output; `stdin` is what standard input holds.
func tieline(_ args: [String], home: URL, stdin: String = "") async -> CLIResult {
    let console = Console.capture(input: stdin)
    let status: Int32 = await Console.$current.withValue(console) {
        do {
            var command = try TielineCommand.parseAsRoot(args + ["--home", home.path])
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch {
            let code = TielineCommand.exitCode(for: error).rawValue
            // Parse and validation errors are printed by ArgumentParser in the real binary.
            if code != 0, !(error is ExitCode) { console.err(TielineCommand.fullMessage(for: error)) }
            return code
        }
    }
    return CLIResult(status: status, out: console.output, err: console.errors)
}

/// A fresh home folder with a Sage company file `company.sqlite` in it.
func makeHomeWithCompany(pj: Bool) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tieline-cli-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    let modules = pj ? SageModule.standard.union([.pj]) : SageModule.standard
    _ = try SageCompany.create(at: url.appendingPathComponent("company.sqlite").path, name: "Test Builders", modules: modules)
    return url
}

extension Process {
    /// Waits for the process to exit without holding one of Swift concurrency's few threads: `waitUntilExit()`
    /// blocks its thread, and two tests blocked at once on a 2-core machine starve the in-process hub their
    /// child processes are talking to, so neither child can ever finish.
    func exited() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.waitUntilExit()
                continuation.resume()
            }
        }
    }
}

/// Loopback ports for tests that start real `tieline hub serve` processes.
enum TestPorts {
    static func free() throws -> Int { try LoopbackPort.free() }
    static func waitFor(_ port: Int) async throws { try await LoopbackPort.waitUntilListening(port) }
}
