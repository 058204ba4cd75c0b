import Foundation
import Logging
import SageStore
import SageModel
import ServiceLifecycle
import SyncCore
import TielineCore

/// The agent's exporter: long-polls the hub for accepted PCCOs, writes each into Sage with the
/// exactly-once `ExportWriter`, and reports the Sage keys. Outbound connections only.
///
/// A crash between Sage's commit and the report loses nothing: the hub delivers the export again
/// (after this agent's restart, or when its claim lapses) and the writer finds it already written.
public struct ExportWorker: Service {
    public let home: TielineHome
    /// The Local Connection exports are written to; nil picks the only one, or the one mapped for PCCO export.
    public var connectionName: String?
    /// This agent process, as the hub sees it; a restart is a new one.
    public let agentID: String
    /// Seconds a long-poll waits on the hub.
    public var wait: Int
    /// Exports taken per long-poll (and written in one Sage transaction).
    public var batch = 32
    public var logger: Logger
    public var onEvent: @Sendable (ExportEvent) -> Void
    /// Pause between attempts after a hub outage, doubled up to 30 s.
    public var retryDelay: Duration
    /// What every wait between attempts sleeps on (tests give a `VirtualClock`).
    public var clock: any TielineClock

    /// What the worker did, for progress output and tests.
    public enum ExportEvent: Sendable {
        case received(id: Int64, number: String)
        case written(id: Int64, result: SageWriteResult)
        case failed(id: Int64, message: String)
        case checked(id: Int64, problems: Int)
        /// Sage could not be read to check the export: no answer; the hub asks again later.
        case uncheckable(id: Int64, message: String)
        case reported(id: Int64, status: String)
        case waiting(String)
    }

    public init(home: TielineHome, connectionName: String? = nil, wait: Int = 25, logger: Logger = Logger(label: "tieline.agent.exports"),
                retryDelay: Duration = .milliseconds(500), clock: any TielineClock = SystemClock(),
                onEvent: @escaping @Sendable (ExportEvent) -> Void = { _ in }) {
        self.home = home
        self.connectionName = connectionName
        self.agentID = "agent-" + UUID().uuidString.prefix(8).lowercased()
        self.wait = wait
        self.logger = logger
        self.retryDelay = retryDelay
        self.clock = clock
        self.onEvent = onEvent
    }

    public func run() async throws {
        let stop = StopSignal()
        await withGracefulShutdownHandler {
            await loop(stop: stop)
        } onGracefulShutdown: {
            stop.request()
        }
    }

    /// Runs until `stop` is requested or the task is cancelled (for hosts without a service group).
    public func run(until stop: StopSignal) async {
        await withTaskCancellationHandler { await loop(stop: stop) } onCancel: { stop.request() }
    }

    func loop(stop: StopSignal) async {
        var released = false
        let backoff = Backoff(initial: retryDelay, maximum: .seconds(30))
        var failures = 0
        // Kept open between polls; reopened after any failure (a moved company file, a new token).
        var opened: Opened?
        // Reports travel while the next batch is claimed and written; at most this many are in flight.
        let maxReports = 4 * batch
        await withTaskGroup(of: Void.self) { reports in
            var inFlight = 0
            while !stop.isRequested {
                do {
                    let current = try opened ?? open()
                    opened = current
                    let (client, company) = (current.client, current.company)
                    if !released {
                        let count = try await client.releaseExports(agent: agentID)
                        if count > 0 { logger.info("the hub will deliver again \(counted(count, "export")) an earlier run of this agent held") }
                        released = true
                    }
                    // A stop during a long-poll ends the poll at once; a claimed export is then released by the next start.
                    guard let assignments = try await race(stop: stop, {
                        try await client.nextExports(agent: agentID, max: batch, wait: wait, checks: true)
                    }), !assignments.isEmpty else { continue }
                    failures = 0
                    // Checks first: they only read Sage, and a PCCO waits on each before it can go on.
                    let checks = assignments.filter(\.check)
                    // Sage work runs off the cooperative threads (see Offload).
                    let checked = checks.isEmpty ? [] : try await Offload.run { self.check(checks, company: company) }
                    // Sage could not be read: the next poll opens the company again.
                    if checked.contains(where: { $0.unreadable != nil }) { opened = nil }
                    for (assignment, check) in zip(checks, checked) {
                        while inFlight >= maxReports, await reports.next() != nil { inFlight -= 1 }
                        reports.addTask { try? await report(id: assignment.id, stop: stop) { try await client.reportCheck(id: assignment.id, agent: agentID, check: check) } }
                        inFlight += 1
                    }
                    // One Sage transaction for the writes, a savepoint per export.
                    let writes = assignments.filter { !$0.check }
                    let outcomes = writes.isEmpty ? [] : try await Offload.run { self.write(writes, to: current) }
                    if !writes.isEmpty {
                        // One report for the whole batch: one hub transaction instead of one per export.
                        let written = Array(zip(writes.map(\.id), outcomes))
                        while inFlight >= maxReports, await reports.next() != nil { inFlight -= 1 }
                        reports.addTask { await reportAll(written, client: client, stop: stop) }
                        inFlight += 1
                    }
                } catch {
                    opened = nil
                    failures += 1
                    let delay = backoff.delay(attempt: failures)
                    let message = (error as? TielineError)?.message ?? "\(error)"
                    logger.warning("exports: \(message); trying again in \(delay)")
                    onEvent(.waiting(message))
                    _ = await stop.wait(delay, clock: clock)
                }
            }
            await reports.waitForAll()
        }
    }

    /// Writes the exports; Sage's refusals become Failed to Export outcomes with Sage's reason.
    func write(_ assignments: [ExportAssignment], to opened: Opened) -> [ExportOutcome] {
        for assignment in assignments { onEvent(.received(id: assignment.id, number: assignment.export.number)) }
        let results = Self.write(assignments.map { ($0.export, $0.transactionDate) }, mode: opened.connection.writeMode, company: opened.company,
                                 state: opened.state, connection: opened.connection.name, failpoint: Self.environmentFailpoint)
        // Fault injection for the exactly-once tests: die as a power cut would, after Sage's commit
        // and before the hub hears of it. Only ever set by tests.
        if results.contains(where: { (try? $0.get())?.alreadyWritten == false }),
           ProcessInfo.processInfo.environment["TIELINE_FAILPOINT"] == "kill-after-sage-commit" {
            kill(getpid(), SIGKILL)
        }
        return zip(assignments, results).map { assignment, result in
            switch result {
            case .success(let written):
                onEvent(.written(id: assignment.id, result: written))
                logger.info("PCCO \(assignment.export.number) \(written.alreadyWritten ? "was already" : "written") in Sage as change order \(written.changeOrder) on \(written.contract)")
                return ExportOutcome(written: written)
            case .failure(let error):
                onEvent(.failed(id: assignment.id, message: error.message))
                logger.warning("PCCO \(assignment.export.number) not written: \(error.message)")
                return ExportOutcome(errorCode: error.code.rawValue, errorMessage: error.message)
            }
        }
    }

    /// Writes exports in the connection's write mode. In steps mode one commit per record, the recorded plan carrying
    /// exactly-once (StepExportWriter). In transaction mode, an export whose step-by-step plan an earlier attempt left
    /// unfinished (the connection was in steps mode then) is finished by that plan: the one-transaction writer would
    /// find its change order header and report a half-written PCCO as already written.
    static func write(_ exports: [(export: ChangeOrderExport, transactionDate: CalendarDate)], mode: SageWriteMode, company: SageCompany,
                      state: AgentState, connection: String,
                      failpoint: @escaping @Sendable (StepExportWriter.Moment, Int, ExportStep) throws -> Void = { _, _, _ in })
        -> [Result<SageWriteResult, TielineError>] {
        let steps = StepExportWriter(target: EmbeddedExportTarget(company: company), state: state, connection: connection, failpoint: failpoint)
        func stepByStep(_ item: (export: ChangeOrderExport, transactionDate: CalendarDate)) -> Result<SageWriteResult, TielineError> {
            Result { () throws(TielineError) in try steps.write(item.export, transactionDate: item.transactionDate) }
        }
        guard mode == .transaction else { return exports.map(stepByStep) }
        var results = [Result<SageWriteResult, TielineError>?](repeating: nil, count: exports.count)
        var atOnce: [Int] = []
        for (index, item) in exports.enumerated() {
            do {
                let plan = try state.exportPlan(reference: procoreReference(pccoID: item.export.pccoID))
                if let plan, plan.status != .written { results[index] = stepByStep(item) } else { atOnce.append(index) }
            } catch {
                results[index] = .failure(error)
            }
        }
        if !atOnce.isEmpty {
            do {
                let written = try ExportWriter(company: company).write(atOnce.map { exports[$0] })
                for (index, result) in zip(atOnce, written) { results[index] = result }
            } catch {
                // The transaction itself failed (Sage unavailable, disk full): nothing was written for any of them.
                for index in atOnce { results[index] = .failure(error) }
            }
        }
        return results.map { $0! }
    }

    /// Checks exports against Sage itself (the judge of what exists); writes nothing.
    ///
    /// A failed read is no verdict: it is reported as `unreadable`, never as a problem, so a temporary
    /// outage does not fail back to Procore a PCCO its approver already approved; the hub asks again later.
    func check(_ assignments: [ExportAssignment], company: SageCompany) -> [SageCheck] {
        assignments.map { assignment in
            do {
                let problems = try company.read { db in try ExportValidator.problems(assignment.export, lookup: SageLookup(db: db)) }
                onEvent(.checked(id: assignment.id, problems: problems.count))
                logger.info("PCCO \(assignment.export.number) checked against Sage: \(problems.isEmpty ? "everything exists" : counted(problems.count, "problem"))")
                return SageCheck(problems: problems)
            } catch {
                let message = (error as? TielineError)?.message ?? "\(error)"
                logger.warning("PCCO \(assignment.export.number) could not be checked against Sage (the hub asks again later): \(message)")
                onEvent(.uncheckable(id: assignment.id, message: message))
                return SageCheck(problems: [], unreadable: message)
            }
        }
    }

    /// Delivers a report (a write's outcome or a check), retrying through hub outages; the work itself is never repeated for it.
    /// Reports a batch's outcomes in one request, tried once; on any failure (an older hub or a proxy without
    /// `/v1/exports/results`, one outcome the hub will not take, an outage) each export is reported on its own,
    /// with the retries a single report has, so one cannot hold back the others.
    func reportAll(_ outcomes: [(id: Int64, outcome: ExportOutcome)], client: HubClient, stop: StopSignal) async {
        if outcomes.count > 1 {
            do {
                let statuses = try await client.reportExports(outcomes, agent: agentID)
                for (id, _) in outcomes { onEvent(.reported(id: id, status: statuses[id] ?? "unknown")) }
                return
            } catch {
                // Stopping: what was not reported is delivered again by the hub once the lease lapses.
                if stop.isRequested { return }
                logger.info("reporting \(counted(outcomes.count, "export")) at once failed (\((error as? TielineError)?.message ?? "\(error)")); reporting them one by one")
            }
        }
        for (id, outcome) in outcomes {
            try? await report(id: id, stop: stop) { try await client.reportExport(id: id, agent: agentID, outcome: outcome) }
        }
    }

    /// Reports one export, retrying while the hub's failure is transient; gives up on a refusal or a stop.
    func report(id: Int64, stop: StopSignal, _ send: @Sendable () async throws -> String) async throws {
        let backoff = Backoff(initial: retryDelay, maximum: .seconds(30))
        var failures = 0
        while true {
            do {
                let status = try await send()
                onEvent(.reported(id: id, status: status))
                return
            } catch let error as TielineError where WireErrorCode(error)?.isTransient == true {
                if stop.isRequested { throw error }
                logger.warning("cannot report export \(id) yet: \(error.message)")
                failures += 1
                _ = await stop.wait(backoff.delay(attempt: failures), clock: clock)
            }
        }
    }

    /// What a poll works with: the hub, the connection exports go to, its company, the agent's state.
    struct Opened {
        var client: HubClient
        var connection: LocalConnection
        var company: SageCompany
        var state: AgentState
    }

    /// Fault injection for the step writer's crash tests: `TIELINE_FAILPOINT=kill-before-step:N` or
    /// `kill-after-step:N` dies as a power cut would at step N (0-based) of a step-by-step export.
    /// Only ever set by tests.
    static let environmentFailpoint: @Sendable (StepExportWriter.Moment, Int, ExportStep) throws -> Void = {
        guard let spec = ProcessInfo.processInfo.environment["TIELINE_FAILPOINT"], spec.hasPrefix("kill-") else { return { _, _, _ in } }
        return { moment, ordinal, _ in
            if spec == "kill-\(moment.rawValue)-step:\(ordinal)" { kill(getpid(), SIGKILL) }
        }
    }()

    /// The hub client and the Sage company exports go to.
    func open() throws(TielineError) -> Opened {
        let store = AgentConfigStore(home: home)
        let config = try store.load()
        guard let hub = config.hub, let token = try store.loadToken(), !token.isEmpty else {
            throw TielineError(.notFound, "not connected to a hub; run `tieline connect --hub URL --site SITE --token -` first (it reads the token from standard input)")
        }
        let connection = try Self.exportConnection(config, named: connectionName)
        if connection.odbc != nil {
            throw TielineError(.invalidInput, "Local Connection '\(connection.name)' reads Sage through ODBC, which Tieline never writes through; "
                + "choose the connection exports are written to with --export-connection NAME")
        }
        return Opened(client: HubClient(url: hub.url, token: token), connection: connection,
                      company: try SageCompany.open(at: connection.sagePath), state: try AgentState.open(home: home))
    }

    /// The named connection; else the only one; else the one whose mappings carry the PCCO export preset.
    public static func exportConnection(_ config: AgentConfig, named name: String?) throws(TielineError) -> LocalConnection {
        if let name { return try config.connection(name) }
        // ODBC connections are read-only: never a place to write exports.
        let writable = config.connections.filter { $0.odbc == nil }
        if writable.count == 1 { return writable[0] }
        let mapped = writable.filter { c in PCCOExportPreset.entities.allSatisfy { c.mappings.isEnabled($0) } }
        if mapped.count == 1 { return mapped[0] }
        throw TielineError(.invalidInput, writable.isEmpty
            ? "no Local Connection to write exports to; add one with: tieline connections add NAME --sage FILE"
            : "several Local Connections could take exports (\(writable.map(\.name).joined(separator: ", "))); choose one with --export-connection NAME")
    }

    /// Runs `body` until it finishes or a stop is requested (then nil).
    func race<T: Sendable>(stop: StopSignal, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                await stop.requested()
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
