import ArgumentParser
import ProcoreSandbox
import Testing
@testable import TielineCLI

@Suite("procore-sandbox serve arguments")
struct ProcoreSandboxCommandTests {
    static func serve(_ arguments: [String]) throws -> ProcoreSandboxCommand.Serve {
        try #require(try TielineCommand.parseAsRoot(["procore-sandbox", "serve"] + arguments) as? ProcoreSandboxCommand.Serve)
    }

    @Test("--token-lifetime, --spike-limit and --refresh-tokens reach the sandbox's configuration")
    func optionsReachTheConfiguration() throws {
        let config = try Self.serve(["--token-lifetime", "7", "--spike-limit", "25", "--refresh-tokens", "--port", "0"]).sandboxConfiguration()
        #expect(config.tokenLifetime == 7)
        #expect(config.spikeLimit == 25)
        #expect(config.issueRefreshTokens)
        #expect(config.port == 0)
        let defaults = try Self.serve([]).sandboxConfiguration()
        #expect(defaults.tokenLifetime == 5_400, "Procore's documented expires_in")
        #expect(defaults.spikeLimit == 0, "the spike window is off unless asked for (README)")
        #expect(!defaults.issueRefreshTokens)
        #expect(throws: ValidationError.self) { try Self.serve(["--token-lifetime", "0"]).sandboxConfiguration() }
    }
}
