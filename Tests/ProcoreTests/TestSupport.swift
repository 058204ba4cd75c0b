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

extension ProcoreSandbox {
    /// Stages `count` jobs, each with a prime contract of items 100, 200 and 300, through the Staged Records API as an
    /// ERP integration does, and imports them from Ready to Import: the projects and contracts PCCOs can be sent to ERP
    /// on (the sandbox makes none of its own). Job codes 24-101, 24-102...; returns the imported projects.
    @discardableResult
    func importSampleJobs(_ count: Int, client: ProcoreClient? = nil) async throws -> [SandboxProject] {
        let intake = ProcoreIntake(client: client ?? ProcoreClient(configuration: clientConfiguration()))
        var records: [JSONValue] = []
        for n in 1...count {
            let job = String(format: "24-%03d", 100 + n)
            records.append(.object(["item_type": .string("project"), "origin_id": .string("job-\(job)"), "origin_code": .string(job),
                                    "data": .object(["name": .string("Sample job \(job)")])]))
            records.append(.object(["item_type": .string("prime_contract"), "origin_id": .string("contract-\(job)"), "origin_code": .string(job),
                                    "data": .object(["project_origin_id": .string("job-\(job)"), "title": .string("Sample job \(job) prime")])]))
            for (item, costCode, type) in [("100", "02-200", "S"), ("200", "03-300", "M"), ("300", "05-100", "L")] {
                records.append(.object(["item_type": .string("line_item"), "origin_id": .string("item-\(job)-\(item)"), "origin_code": .string(item),
                                        "parent_origin_id": .string("contract-\(job)"),
                                        "data": .object(["description": .string("Work \(costCode)"), "amount": .string("250000.00"),
                                                         "cost_code": .string(costCode), "line_item_type": .string(type)])]))
            }
        }
        let refused = try await intake.syncStagedRecords(records)
        guard refused.isEmpty else { throw TielineError(.conflict, "staging refused: \(refused)") }
        try importAll()
        return projects.filter { $0.originCode?.hasPrefix("24-1") == true }
    }

    /// The newest ERP request's id: fetch after it to see only what comes next (imports send create_job_in_procore).
    var lastERPRequestID: Int? { erpRequests.last?.id }
}
