import Foundation
import Logging
import Procore
import ProcoreSandbox
import TielineCore

/// A sandbox and a client sharing one virtual clock, so waits cost no real time.
struct Harness {
    let sandbox: ProcoreSandbox
    let client: ProcoreClient
    let clock: VirtualClock

    /// Starts a sandbox (tweaked by `configure`) and a client for it; call `shutdown()` when done.
    static func start(perPage: Int = 100, retry: ProcoreRetryPolicy = ProcoreRetryPolicy(),
                      configure: (inout SandboxConfiguration) -> Void = { _ in },
                      client configureClient: (inout ProcoreConfiguration) -> Void = { _ in }) async throws -> Harness {
        let clock = VirtualClock()
        var config = SandboxConfiguration()
        config.clock = clock
        configure(&config)
        let sandbox = try await ProcoreSandbox.start(config)
        var clientConfig = sandbox.clientConfiguration(perPage: perPage)
        clientConfig.retry = retry
        configureClient(&clientConfig)
        // Zero jitter: back-offs are exactly the policy's lower bound, so tests can assert them.
        var logger = Logger(label: "procore-tests")
        logger.logLevel = .error
        let client = ProcoreClient(configuration: clientConfig, clock: clock, logger: logger, jitter: { 0 })
        return Harness(sandbox: sandbox, client: client, clock: clock)
    }

    func shutdown() async { await sandbox.shutdown() }

    /// `company_id`, which Procore's List Projects requires (every sandbox here serves the default company).
    static let companyQuery = [("company_id", String(SandboxConfiguration().companyID))]

    /// Runs `body` with a fresh harness and always shuts it down.
    static func with(perPage: Int = 100, retry: ProcoreRetryPolicy = ProcoreRetryPolicy(),
                     configure: (inout SandboxConfiguration) -> Void = { _ in },
                     client configureClient: (inout ProcoreConfiguration) -> Void = { _ in },
                     _ body: (Harness) async throws -> Void) async throws {
        let h = try await start(perPage: perPage, retry: retry, configure: configure, client: configureClient)
        do {
            try await body(h)
        } catch {
            await h.shutdown()
            throw error
        }
        await h.shutdown()
    }
}

enum Fixtures {
    /// The bytes of `Fixtures/<name>`.
    static func data(_ name: String) throws -> Data {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            throw TielineError(.notFound, "fixture \(name) is missing")
        }
        return try Data(contentsOf: url)
    }

    static var sample: JSONValue {
        get throws { try JSONValue.parse(try data("create_prime_contract_change_order.sample.json")) }
    }
}

extension Money {
    /// Test shorthand; traps on a malformed literal.
    static func of(_ text: String) -> Money { try! Money(parsing: text) }
}
