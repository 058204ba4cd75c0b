import Foundation
import SageStore
import SageModel
import SageODBC
import SyncCore
import TielineCore

/// The Local Connections tab: add, change and remove connections to Sage companies.
extension AgentConfigStore {
    /// Adds a connection to the Sage company at `sagePath`; refuses a file that is not one,
    /// with the company store's own error, and a name already in use.
    @discardableResult
    public func addConnection(name: String, sagePath: String, writeMode: SageWriteMode = .transaction) throws(TielineError) -> LocalConnection {
        try LocalConnection.validate(name: name)
        let path = URL(fileURLWithPath: sagePath).standardizedFileURL.path
        // Opening proves it is a Sage company before anything is saved.
        _ = try SageCompany.open(at: path)
        return try update { (config: inout AgentConfig) throws(TielineError) -> LocalConnection in
            if config.connections.contains(where: { $0.name == name }) {
                throw TielineError(.conflict, "a Local Connection named '\(name)' already exists; choose another name or remove it first")
            }
            let connection = LocalConnection(name: name, sagePath: path, writeMode: writeMode)
            config.connections.append(connection)
            return connection
        }
    }

    /// Adds a connection that reads a Sage company through ODBC; connecting and finding Sage's job
    /// table prove the driver, DSN and credentials before anything is saved. The password is never
    /// saved: it comes from `settings.passwordVariable` whenever the agent connects.
    @discardableResult
    public func addODBCConnection(name: String, settings: ODBCSettings, password: String? = nil) throws(TielineError) -> LocalConnection {
        try LocalConnection.validate(name: name)
        if ConnectionString.holdsSecret(settings.connectionString) {
            throw TielineError(.invalidInput, "--odbc: the connection string holds a password, which would be saved in agent.json; "
                + "remove PWD= and pass the password through an environment variable: --password-env VARIABLE")
        }
        var settings = settings
        if let password {
            // Given on stdin: kept only sealed with the agent's own key (agent-secret.key, 0600).
            guard settings.passwordVariable == nil else {
                throw TielineError(.invalidInput, "give the ODBC password one way: --password - or --password-env VARIABLE")
            }
            settings.sealedPassword = try ODBCSettings.box(home).seal(password)
        }
        let source = try ODBCSageSource(connection: name, settings: settings, home: home)
        try source.checkCompany()
        return try update { (config: inout AgentConfig) throws(TielineError) -> LocalConnection in
            if config.connections.contains(where: { $0.name == name }) {
                throw TielineError(.conflict, "a Local Connection named '\(name)' already exists; choose another name or remove it first")
            }
            let connection = LocalConnection(name: name, sagePath: "", odbc: settings)
            config.connections.append(connection)
            return connection
        }
    }

    /// Removes a connection. Its Advanced Mappings go with it, so a connection with ticked
    /// entities needs `allowRemoval`, like unticking them one by one would.
    @discardableResult
    public func removeConnection(name: String, allowRemoval: Bool) throws(TielineError) -> LocalConnection {
        try update { (config: inout AgentConfig) throws(TielineError) -> LocalConnection in
            let connection = try config.connection(name)
            if !allowRemoval && !connection.mappings.enabled.isEmpty {
                throw TielineError(.removalNotAllowed,
                    "'\(name)' has \(connection.mappings.enabled.count) ticked entities in Advanced Mappings; removing the connection discards them — pass --allow-removal to confirm")
            }
            config.connections.removeAll { $0.name == name }
            return connection
        }
    }

    /// Loads, changes one connection, and saves; nothing is written if `change` throws.
    @discardableResult
    public func updateConnection<T>(_ name: String, _ change: (inout LocalConnection) throws(TielineError) -> T) throws(TielineError) -> T {
        try update { (config: inout AgentConfig) throws(TielineError) -> T in
            var connection = try config.connection(name)
            let result = try change(&connection)
            config.connections = config.connections.map { $0.name == name ? connection : $0 }
            return result
        }
    }

    /// The connection named `name`, from the saved configuration.
    public func connection(_ name: String) throws(TielineError) -> LocalConnection {
        try load().connection(name)
    }
}

extension LocalConnection {
    /// Refuses names that would be awkward to type in a command or show in a list.
    static func validate(name: String) throws(TielineError) {
        let allowed = name.allSatisfy { $0.isLetter || $0.isNumber || " -_.".contains($0) }
        guard !name.isEmpty, name.count <= 64, allowed, name.trimmingWhitespace() == name else {
            throw TielineError(.invalidInput,
                "connection name '\(name.clipped(70))' is not allowed; use up to 64 letters, digits, spaces, '-', '_' or '.'")
        }
    }

    /// Opens the connection's Sage company (clear errors for a missing, locked or non-Sage file).
    public func openCompany() throws(TielineError) -> SageCompany {
        try SageCompany.open(at: sagePath)
    }
}
