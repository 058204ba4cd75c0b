import AsyncHTTPClient
import Foundation
import Logging
import Procore
import ServiceLifecycle
import Synchronization
import SyncCore
import TielineCore

/// The hub's conversation with Procore: polls each linked site for PCCOs sent to ERP (on its
/// schedule, or at once when a webhook arrives) and tells Procore what became of each export.
public final class ProcoreBridge: Service, Sendable {
    let queue: ExportQueue
    let secrets: HubSecretBox?
    let httpClient: HTTPClient
    let logger: Logger
    /// Sites a webhook asked to poll now.
    let wakeSites = Mutex<Set<Int64>>([])
    /// ERP requests webhooks named (their `resource_id`), per site, to fetch one by one.
    let wakeRequests = Mutex<[Int64: Set<Int>]>([:])
    let pollBell = Doorbell()
    let intakes = Mutex<[Int64: (key: String, intake: ProcoreIntake)]>([:])
    let lastPolls = Mutex<[Int64: Date]>([:])
    /// One poll per site at a time (the loop's, a webhook's, a test's `pollProcore`).
    let pollGate = SitePollGate()

    public init(queue: ExportQueue, secrets: HubSecretBox?, httpClient: HTTPClient = .procore, logger: Logger = Logger(label: "tieline.hub.procore")) {
        self.queue = queue
        self.secrets = secrets
        self.httpClient = httpClient
        self.logger = logger
    }

    var storage: any HubStorage { queue.storage }

    public func run() async throws {
        // On SIGTERM in-flight Procore calls are cancelled rather than awaited (a dead Procore would hold the
        // hub for minutes); what they were doing stays due and is done again on the next start.
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.writeBackLoop() }
                group.addTask { await self.pollLoop() }
                await group.waitForAll()
            }
        }
    }

    /// Whether nothing is waiting to be polled or being polled for the site (for tests and the demo to settle).
    public func isIdle(site: HubSite) -> Bool {
        !wakeSites.withLock { $0.contains(site.id) } && wakeRequests.withLock { $0[site.id] == nil } && !pollGate.isBusy(site.id)
    }

    /// Polls the site at once (a webhook delivery said something new is waiting); with `erpRequest`, the delivery's
    /// `resource_id`, only that ERP request is fetched (Show ERP Request), not the whole list.
    public func wake(site: HubSite, erpRequest: Int? = nil) {
        if let erpRequest {
            wakeRequests.withLock { _ = $0[site.id, default: []].insert(erpRequest) }
        } else {
            wakeSites.withLock { _ = $0.insert(site.id) }
        }
        pollBell.ring()
    }

    // MARK: Polling

    func pollLoop() async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                for linked in try await storage.linkedSites() where !Task.isShuttingDownGracefully {
                    // The wake-up stays set until the poll has begun (`poll` clears it), so the site never looks idle in between.
                    let woken = wakeSites.withLock { $0.contains(linked.site.id) }
                    let last = lastPolls.withLock { $0[linked.site.id] } ?? linked.link.lastPollAt
                    let due = last.map { Date().timeIntervalSince($0) >= Double(linked.link.pollSeconds) } ?? true
                    guard woken || due else {
                        if let requests = wakeRequests.withLock({ $0[linked.site.id] }) { await handle(requests: requests, linked) }
                        continue
                    }
                    lastPolls.withLock { $0[linked.site.id] = Date() }
                    await poll(linked)
                }
            } catch {
                logger.error("cannot read linked sites: \(error)")
            }
            await pollBell.wait(timeout: .seconds(1))
        }
    }

    /// The site with its link as stored now (nil when unlinked or unreadable, which is logged).
    func current(_ linked: LinkedSite) async -> LinkedSite? {
        do {
            guard let link = try await storage.procoreLink(site: linked.site) else { return nil }
            return LinkedSite(site: linked.site, link: link)
        } catch {
            logger.warning("cannot read site \(linked.site.name)'s Procore link: \(error)")
            return nil
        }
    }

    /// One poll of one site: every new PCCO into the queue; the outcome recorded on the link.
    /// Polls of one site run one after another; each starts from the cursor the previous one left, so two
    /// polls asked for at once (the loop's and a webhook's, say) never handle the same ERP request twice.
    public func poll(_ linked: LinkedSite) async {
        await pollGate.enter(linked.site.id)
        defer { pollGate.leave(linked.site.id) }
        // A wake-up that came before this poll began is answered by it (the list holds the requests webhooks named).
        wakeSites.withLock { _ = $0.remove(linked.site.id) }
        wakeRequests.withLock { _ = $0.removeValue(forKey: linked.site.id) }
        guard let linked = await current(linked) else { return }
        do {
            let intake = try intake(for: linked)
            var cursor: String?
            switch linked.link.style {
            case .erpRequests:
                cursor = try await pollERPRequests(intake, linked: linked)
            case .publicAPI:
                await intake.setHubLinks(linked.link.projectLinks ?? [])
                // Overlap the window a little: `updated_at` has one-second resolution and clocks drift.
                let since = linked.link.cursor.flatMap(Double.init).map { Date(timeIntervalSince1970: $0 - 120) } ?? Date(timeIntervalSince1970: 0)
                let started = Date()
                let result = try await intake.poll(since: since)
                for export in result.exports { try await queue.receive(export, site: linked.site) }
                for failure in result.failures {
                    logger.warning("PCCO \(failure.pccoID) in project \(failure.projectID) cannot be read: \(failure.error.message)")
                }
                cursor = String(started.timeIntervalSince1970)
            }
            try await storage.recordPoll(cursor: cursor, error: nil, at: Date(), site: linked.site)
        } catch {
            if Task.isCancelled { return }
            let message = (error as? TielineError)?.message ?? "\(error)"
            logger.warning("polling Procore for site \(linked.site.name) failed: \(message); next poll in \(linked.link.pollSeconds) s")
            try? await storage.recordPoll(cursor: nil, error: message, at: Date(), site: linked.site)
        }
    }

    /// Adds a staging's outcome to the site's staging history (the last `ProcoreStagingEntry.keep`), for the console;
    /// its summary is `detail` after what was staged ("Jobs: …").
    func recordStaging(_ event: String, kind: StagingRequest.Kind, outcome: ProcoreStaging.Outcome?, detail: String, failed: Bool,
                       site: HubSite) async {
        let summary = kind.label.prefix(1).uppercased() + kind.label.dropFirst() + ": " + detail
        var entry = ProcoreStagingEntry(at: Date(), event: event, summary: summary, failed: failed)
        if let outcome {
            entry.staged = outcome.staged
            entry.updated = outcome.updated
            entry.archived = outcome.archived
            entry.unchanged = outcome.unchanged
            entry.changes = outcome.changes
            entry.moreChanges = outcome.moreChanges
        }
        await record(entry, site: site)
    }

    func record(_ entry: ProcoreStagingEntry, site: HubSite) async {
        do {
            try await storage.recordStaging(entry, keep: ProcoreStagingEntry.keep, site: site)
        } catch {
            logger.warning("cannot record the staging of site \(site.name): \(error)")
        }
    }

    /// `create_job_in_procore`: an accountant pressed Add to Procore on a job Tieline staged. The dictionary asks
    /// nothing back (no request detail) and Tieline sends nothing more: the job's prime contract is already staged
    /// (sync_prime_contracts) and shows on Ready to Import now that its project exists. The links are noted in the
    /// staging history (one entry for the poll's events); a job the mirror no longer has is pointed out.
    func noteJobsCreated(_ jobs: [ProcoreJobCreated], site: HubSite) async {
        var entry = ProcoreStagingEntry(at: Date(), event: ERPEvent.createJobInProcoreName, summary: "", failed: false)
        var gone: [String] = []
        for created in jobs {
            if let code = created.originCode,
               (try? await storage.mirrorRowExists(entity: EntityCatalog.job.name, key: [code], site: site)) == false {
                gone.append(code)
            }
            guard entry.changes.count < ProcoreStagingEntry.maxChanges else { entry.moreChanges += 1; continue }
            entry.changes.append(.init(action: "imported", itemType: "project", originCode: created.originCode, originID: created.originID ?? "",
                                       note: "Procore project \(created.projectID) \"\(created.name)\""))
        }
        entry.summary = jobs.count == 1
            ? "Procore project \(jobs[0].projectID) created from Sage job \(jobs[0].originCode ?? jobs[0].originID ?? "?")"
            : "\(jobs.count) Procore projects created from Sage jobs"
        if !gone.isEmpty { entry.summary += "; not in the hub's mirror (deleted in Sage?): " + gone.prefix(5).joined(separator: ", ") }
        logger.info("site \(site.name): \(entry.summary)")
        await record(entry, site: site)
    }

    /// Stages the site's jobs or prime contracts now, without an ERP request (a public-API site has none).
    public func stageNow(_ kind: StagingRequest.Kind, site: HubSite) async throws -> String {
        guard let link = try await storage.procoreLink(site: site) else {
            throw TielineError(.notFound, "site '\(site.name)' is not linked to Procore")
        }
        let outcome = try await ProcoreStaging(storage: storage, site: site)
            .run(StagingRequest(kind: kind, requestDetailID: nil), intake: try intake(for: LinkedSite(site: site, link: link)))
        await recordStaging("stage \(kind.label)", kind: kind, outcome: outcome, detail: outcome.summary, failed: !outcome.failures.isEmpty, site: site)
        // Projects imported from what was staged are linked ones: the next poll reloads the list.
        intakes.withLock { _ = $0.removeValue(forKey: site.id) }
        guard outcome.failures.isEmpty else { throw TielineError(.conflict, "staging refused: \(outcome.summary)") }
        return outcome.summary
    }

    /// Stages jobs or prime contracts from the mirror and closes the request detail with what happened.
    func stage(_ request: StagingRequest, intake: ProcoreIntake, site: HubSite) async {
        do {
            let outcome = try await ProcoreStaging(storage: storage, site: site).run(request, intake: intake)
            logger.info("staged \(request.kind.label) of site \(site.name) for Procore: \(outcome.summary)")
            await recordStaging(request.eventName, kind: request.kind, outcome: outcome, detail: outcome.summary,
                                failed: !outcome.failures.isEmpty, site: site)
            if let detail = request.requestDetailID {
                try await intake.closeRequestDetail(detail, success: outcome.failures.isEmpty, messages: [outcome.summary])
            }
        } catch {
            let message = (error as? TielineError)?.message ?? "\(error)"
            logger.warning("staging \(request.kind.label) of site \(site.name) failed: \(message)")
            await recordStaging(request.eventName, kind: request.kind, outcome: nil, detail: message, failed: true, site: site)
            if let detail = request.requestDetailID {
                try? await intake.closeRequestDetail(detail, success: false, messages: ["Tieline could not stage: \(message)"])
            }
        }
    }

    func settle(pccoID: Int, site: HubSite, _ what: String, _ action: (Int64) async throws -> Void) async throws {
        guard let id = try await storage.exportID(pccoID: pccoID, site: site) else {
            logger.warning("\(what) names PCCO \(pccoID), which this hub never exported; nothing to do")
            return
        }
        do { try await action(id) } catch let error as TielineError where error.code == .conflict {
            logger.info("\(what) for PCCO \(pccoID) changed nothing: \(error.message)")
        }
    }

    // MARK: Write-back

    /// Concurrent write-backs per site.
    static let lanes = 8

    func writeBackLoop() async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let due = try await storage.writeBacksDue(now: Date(), limit: 100)
                // Another hub process on the same database may have listed them too: each tells Procore only what it took.
                var taken: [(HubSite, [HubExport])] = []
                for (site, listed) in Dictionary(grouping: due, by: { $0.0 }) {
                    do {
                        taken.append((site, try await queue.takeWriteBacks(ids: listed.map(\.1.id), site: site)))
                    } catch {
                        if !Task.isCancelled { logger.warning("cannot take the write-backs of site \(site.name): \(error)") }
                    }
                }
                await withTaskGroup(of: Void.self) { group in
                    // Sites in parallel, each site's exports in order.
                    // A few at a time per site: Procore's rate limit is per app, and the client paces itself.
                    for (site, exports) in taken {
                        for lane in 0..<Self.lanes {
                            let mine = exports.enumerated().filter { $0.offset % Self.lanes == lane }.map(\.element)
                            guard !mine.isEmpty else { continue }
                            group.addTask { for export in mine { await self.writeBack(export, site: site) } }
                        }
                    }
                }
                if due.count == 100 { continue }
            } catch {
                logger.error("cannot read due write-backs: \(error)")
            }
            await queue.writeBackBell.wait(timeout: .seconds(1))
        }
    }

    /// Tells Procore what became of one export whose write-back this process took; the queue records success or
    /// schedules a retry.
    public func writeBack(_ export: HubExport, site: HubSite) async {
        guard let pending = export.writeBack else { return }
        do {
            guard let link = try await storage.procoreLink(site: site) else {
                // Linked once, since unlinked from Procore: nobody to tell.
                _ = try await queue.writeBackSucceeded(id: export.id, site: site)
                return
            }
            let intake = try intake(for: LinkedSite(site: site, link: link))
            let pcco = export.export
            switch pending.purpose {
            case .synced:
                let result = export.result
                let message = result.map { "Exported to Sage 300 CRE: change order \($0.changeOrder) on contract \($0.contract), \($0.total)" }
                try await intake.reportSynced(pcco, keys: Self.keys(pcco, result: result), messages: message.map { [$0] } ?? [])
            case .failed:
                try await intake.reportFailed(pcco, messages: [export.error ?? "Failed to Export"])
            case .rejected:
                if case .erpRequest(let detail) = pcco.intake {
                    let why = export.status == .retrieved ? "Retrieved" : "Rejected" + (export.comment.map { ": \($0)" } ?? "")
                    try await intake.closeRequestDetail(detail, success: false, messages: [why])
                }
            case .unlinked:
                switch pcco.intake {
                case .erpRequest:
                    try await intake.markUnsynced(pccoID: pcco.pccoID, lineItemIDs: pcco.lines.map(\.procoreID))
                case .publicAPI:
                    // The link lives in the hub only (see ProcoreIntake.reportSynced): nothing to tell Procore.
                    break
                }
            }
            _ = try await queue.writeBackSucceeded(id: export.id, site: site)
        } catch {
            // Stopping: the write-back stays due, told by the next start once this process's hold lapses.
            if Task.isCancelled { return }
            let message = (error as? TielineError)?.message ?? "\(error)"
            logger.warning("telling Procore about PCCO \(export.export.number) of site \(site.name) failed: \(message)")
            _ = try? await queue.writeBackFailed(id: export.id, site: site, error: message)
        }
    }

    /// The origin ids Procore gets: the Row_IDs of the Sage records, or natural keys from an agent that reports none.
    static func keys(_ export: ChangeOrderExport, result: SageWriteResult?) -> SageKeys {
        guard let ids = result?.rowIDs else { return SageKeys.standard(for: export) }
        return SageKeys.rowIDs(for: export, changeOrder: ids.changeOrder, items: ids.items, estimates: ids.estimates)
    }

    // MARK: Clients

    /// The site's intake, rebuilt when its link changes (a new secret, another company).
    func intake(for linked: LinkedSite) throws -> ProcoreIntake {
        let link = linked.link
        let key = "\(link.baseURL)|\(link.companyID)|\(link.clientID)|\(link.sealedSecret.base64EncodedString())"
        if let cached = intakes.withLock({ $0[linked.site.id] }), cached.key == key { return cached.intake }
        guard let secrets else {
            throw TielineError(.invalidInput, "this hub was started without its secret key, so it cannot open site \(linked.site.name)'s Procore client secret")
        }
        let secret = try secrets.open(link.sealedSecret)
        let configuration = ProcoreConfiguration(endpoints: try Self.endpoints(link.baseURL), companyID: link.companyID,
                                                 clientID: link.clientID, clientSecret: ProcoreSecret(secret))
        let intake = ProcoreIntake(client: ProcoreClient(configuration: configuration, httpClient: httpClient, logger: logger))
        intakes.withLock { $0[linked.site.id] = (key, intake) }
        return intake
    }

    /// Procore's production and sandbox hosts use separate login hosts; anything else (a local sandbox) serves both.
    public static func endpoints(_ baseURL: String) throws(TielineError) -> ProcoreEndpoints {
        var base = baseURL.trimmingWhitespace()
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw TielineError(.invalidInput, "--base-url '\(baseURL)' is not an http(s) URL such as https://api.procore.com")
        }
        switch base {
        case ProcoreEndpoints.production.apiBaseURL.absoluteString: return .production
        case ProcoreEndpoints.sandbox.apiBaseURL.absoluteString: return .sandbox
        default: return .local(url)
        }
    }
}
