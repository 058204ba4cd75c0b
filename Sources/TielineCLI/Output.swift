import ArgumentParser
import Foundation
import TielineCore

/// Printing helpers shared by commands: JSON for scripts, plain lines for people.
enum Output {
    /// Pretty, stable JSON on stdout.
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// A line on stderr.
    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Runs `body`, turning a TielineError into `error: message` (or JSON) and exit code 1.
    static func run(json: Bool = false, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as TielineError {
            if json {
                struct Failure: Encodable { let error: Detail; struct Detail: Encodable { let code: String; let message: String } }
                try? Output.json(Failure(error: .init(code: error.code.rawValue, message: error.message)))
            } else {
                note("error: \(error.message)")
            }
            throw ExitCode.failure
        }
    }

    /// Pads `text` on the right to `width` characters.
    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
