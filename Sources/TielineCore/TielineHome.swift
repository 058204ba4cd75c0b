import Foundation

/// The folder that holds everything Tieline writes: configuration, secrets, state, logs.
///
/// Chosen by `--home`, else the `TIELINE_HOME` environment variable, else `~/.tieline`, so
/// tests and users can isolate runs.
public struct TielineHome: Sendable, Hashable {
    public let url: URL

    public init(url: URL) { self.url = url }

    /// Resolves the home from an explicit path, the environment, or the default.
    public static func resolve(_ explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> TielineHome {
        if let explicit, !explicit.isEmpty { return TielineHome(url: URL(fileURLWithPath: (explicit as NSString).expandingTildeInPath)) }
        if let env = environment["TIELINE_HOME"], !env.isEmpty { return TielineHome(url: URL(fileURLWithPath: (env as NSString).expandingTildeInPath)) }
        return TielineHome(url: FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".tieline"))
    }

    /// A file or folder inside the home.
    public func path(_ components: String...) -> URL {
        components.reduce(url) { $0.appendingPathComponent($1) }
    }
}
