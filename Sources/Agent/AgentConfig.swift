import Foundation
import SyncCore
import TielineCore

/// A Local Connection: one Sage company the agent reads from and writes to.
public struct LocalConnection: Sendable, Hashable, Codable {
    public var name: String
    /// Path of the Sage company store.
    public var sagePath: String
    /// Advanced Mappings for this connection.
    public var mappings: Mappings
    /// The Sync tab's Settings for this connection.
    public var settings: SyncSettings
    /// How exports are written into this company.
    public var writeMode: SageWriteMode
    /// Set when the company is read through ODBC (then `sagePath` is empty and nothing is written).
    public var odbc: ODBCSettings?

    public init(name: String, sagePath: String, mappings: Mappings = Mappings(), settings: SyncSettings = SyncSettings(),
                writeMode: SageWriteMode = .transaction, odbc: ODBCSettings? = nil) {
        self.name = name
        self.sagePath = sagePath
        self.mappings = mappings
        self.settings = settings
        self.writeMode = writeMode
        self.odbc = odbc
    }

    enum CodingKeys: String, CodingKey { case name, sagePath, mappings, settings, writeMode, odbc }

    // Connections saved before write modes existed write in one transaction, as they always did.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .name), sagePath: try c.decode(String.self, forKey: .sagePath),
                  mappings: try c.decode(Mappings.self, forKey: .mappings), settings: try c.decode(SyncSettings.self, forKey: .settings),
                  writeMode: try c.decodeIfPresent(SageWriteMode.self, forKey: .writeMode) ?? .transaction,
                  odbc: try c.decodeIfPresent(ODBCSettings.self, forKey: .odbc))
    }
}

/// How the agent writes an export into Sage.
public enum SageWriteMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// One transaction for the whole export (the embedded store offers it): all or nothing.
    case transaction
    /// One commit per record, as Sage's import programs and Web API write: a recorded plan makes
    /// it exactly once (see `StepExportWriter`).
    case steps
}

/// The cloud connection made by Connect. The token lives in its own owner-only file.
public struct HubConnection: Sendable, Hashable, Codable {
    public var url: String
    public var site: String

    public init(url: String, site: String) {
        self.url = url
        self.site = site
    }
}

/// Everything the agent is configured with (`agent.json` under the home folder).
public struct AgentConfig: Sendable, Hashable, Codable {
    public var connections: [LocalConnection]
    public var hub: HubConnection?

    public init(connections: [LocalConnection] = [], hub: HubConnection? = nil) {
        self.connections = connections
        self.hub = hub
    }

    /// The connection named `name`, or an error listing the ones that exist.
    public func connection(_ name: String) throws(TielineError) -> LocalConnection {
        if let found = connections.first(where: { $0.name == name }) { return found }
        let known = connections.map(\.name)
        throw TielineError(.notFound, known.isEmpty
            ? "no Local Connection named '\(name)'; add one with: tieline connections add \(name) --sage FILE"
            : "no Local Connection named '\(name)'; known: \(known.joined(separator: ", "))")
    }
}

/// Loads and saves the agent's configuration under the home folder, atomically.
public struct AgentConfigStore: Sendable {
    public let home: TielineHome

    public init(home: TielineHome) { self.home = home }

    /// `agent.json`: connections, mappings, settings, hub URL and site.
    public var configURL: URL { home.path("agent.json") }
    /// `hub-token`: the site's agent token, readable only by its owner.
    public var tokenURL: URL { home.path("hub-token") }

    /// The saved configuration, or an empty one when none was saved yet.
    ///
    /// A corrupted or hand-broken file is an error naming the file and line; it is never
    /// replaced silently.
    public func load() throws(TielineError) -> AgentConfig {
        guard let data = FileManager.default.contents(atPath: configURL.path) else { return AgentConfig() }
        do {
            return try JSONDecoder().decode(AgentConfig.self, from: data)
        } catch {
            throw TielineError(.corruptConfig, "\(configURL.path): \(ConfigErrorLocation.describe(error, in: data)); fix or remove the file (it was left untouched)")
        }
    }

    /// Saves `config` atomically (temporary file, then rename).
    public func save(_ config: AgentConfig) throws(TielineError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(config) } catch {
            throw TielineError(.fileWrite, "cannot encode the configuration: \(error)")
        }
        try AtomicFile.write(data, to: configURL, permissions: 0o600)
    }

    /// Loads, changes and saves in one step; nothing is written if `change` throws.
    @discardableResult
    public func update<T>(_ change: (inout AgentConfig) throws(TielineError) -> T) throws(TielineError) -> T {
        var config = try load()
        let result = try change(&config)
        try save(config)
        return result
    }

    /// The stored hub token, if Connect was done.
    public func loadToken() throws(TielineError) -> String? {
        guard let data = FileManager.default.contents(atPath: tokenURL.path) else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingWhitespace()
    }

    /// Stores the hub token in an owner-only (0600) file.
    public func saveToken(_ token: String) throws(TielineError) {
        try AtomicFile.write(Data(token.utf8), to: tokenURL, permissions: 0o600)
    }
}

/// Turns a JSON decoding error into "line N: what is wrong".
enum ConfigErrorLocation {
    static func describe(_ error: any Error, in data: Data) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        switch decoding {
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.userInfo
            if let index = underlying?["NSJSONSerializationErrorIndex"] as? Int {
                return "line \(line(at: index, in: data)): not valid JSON"
            }
            let text = "\(context.underlyingError.map { "\($0)" } ?? context.debugDescription)"
            if let line = lineMention(in: text) ?? syntaxErrorLine(in: data) {
                return "line \(line): not valid JSON"
            }
            return "not valid JSON (\(context.debugDescription))"
        case .keyNotFound(let key, let context):
            return "missing '\(key.stringValue)' at \(path(context.codingPath))" + lineOf(context.codingPath, in: data)
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(context.debugDescription) at \(path(context.codingPath))" + lineOf(context.codingPath, in: data)
        @unknown default:
            return "\(error)"
        }
    }

    static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.isEmpty ? "the top level" : codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }

    /// The line of the last key in `codingPath`, found by searching the text for it.
    static func lineOf(_ codingPath: [any CodingKey], in data: Data) -> String {
        guard let last = codingPath.last(where: { $0.intValue == nil }) else { return "" }
        let text = String(decoding: data, as: UTF8.self)
        guard let range = text.range(of: "\"\(last.stringValue)\"") else { return "" }
        return " (line \(text[..<range.lowerBound].filter { $0 == "\n" }.count + 1))"
    }

    /// The line of a JSON syntax error. JSONDecoder on Linux does not say where the error is,
    /// but JSONSerialization's message does ("Invalid value around character 74.").
    static func syntaxErrorLine(in data: Data) -> Int? {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return nil
        } catch {
            let message = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? "\(error)"
            guard let range = message.range(of: "character ") else { return lineMention(in: message) }
            return Int(message[range.upperBound...].prefix { $0.isNumber }).map { line(at: $0, in: data) }
        }
    }

    static func line(at offset: Int, in data: Data) -> Int {
        data.prefix(offset).filter { $0 == UInt8(ascii: "\n") }.count + 1
    }

    static func lineMention(in text: String) -> Int? {
        guard let range = text.range(of: "line ") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }
}

extension TielineError.Code {
    public static let corruptConfig = Self("corrupt_config")
}
