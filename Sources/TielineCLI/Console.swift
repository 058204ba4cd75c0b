import ArgumentParser
import Foundation
import TielineCore

/// Where commands write: stdout/stderr normally, a buffer when a test captures the output.
public final class Console: @unchecked Sendable {
    // Guarded by `lock`; tests may run commands concurrently, each with its own console.
    private let lock = NSLock()
    private var outText = ""
    private var errText = ""
    private var input: [Substring]
    private let capturing: Bool

    init(capturing: Bool, input: String = "") {
        self.capturing = capturing
        self.input = input.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The console commands write to in this task: the process's own unless a test set one.
    @TaskLocal public static var current = Console(capturing: false)

    /// A console that keeps everything written, for tests; `input` is what standard input holds.
    public static func capture(input: String = "") -> Console { Console(capturing: true, input: input) }

    /// One line of standard input without its newline (nil at its end), as `Swift.readLine` reads it.
    public func readLine() -> String? {
        guard capturing else { return Swift.readLine(strippingNewline: true) }
        return lock.withLock {
            // "a\n" splits into ["a", ""]: the empty tail is the end, not a line.
            guard !input.isEmpty, !(input.count == 1 && input[0].isEmpty) else { return nil }
            return String(input.removeFirst())
        }
    }

    /// What was written to standard output.
    public var output: String { lock.withLock { outText } }
    /// What was written to standard error.
    public var errors: String { lock.withLock { errText } }

    /// Writes one line to standard output.
    public func out(_ line: String) {
        if capturing { lock.withLock { outText += line + "\n" } } else { print(line) }
    }

    /// Writes one line to standard error.
    public func err(_ line: String) {
        if capturing {
            lock.withLock { errText += line + "\n" }
        } else {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    /// Writes `value` as pretty JSON with sorted keys to standard output.
    public func json<T: Encodable>(_ value: T) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Dates as ISO 8601 (2026-11-30T14:05:00Z), never Foundation's seconds since 2001.
        encoder.dateEncodingStrategy = .iso8601
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        out(String(decoding: data, as: UTF8.self))
    }
}

/// The `{"error": {"code", "message"}}` shape of a failure in `--json` mode.
struct ErrorEnvelope: Encodable {
    struct Body: Encodable { let code: String; let message: String }
    let error: Body
}

/// Runs a command body and reports a `TielineError` the same way everywhere:
/// `error: <message>` on stderr (or the JSON envelope on stdout with `--json`), then exit 1.
public func reporting(json: Bool, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as TielineError {
        if json {
            Console.current.json(ErrorEnvelope(error: .init(code: error.code.rawValue, message: error.message)))
        } else {
            Console.current.err("error: \(error.message)")
        }
        throw ExitCode.failure
    }
}
