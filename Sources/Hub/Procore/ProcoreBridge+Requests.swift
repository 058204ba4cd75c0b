import Foundation
import Procore
import TielineCore

/// ERP requests (Procore's ERP platform): read from the list by a poll, or one by one as webhooks name them.
extension ProcoreBridge {
    /// Every request above the cursor, skipping those already handled one by one; returns the new cursor.
    func pollERPRequests(_ intake: ProcoreIntake, linked: LinkedSite) async throws -> String? {
        let after = linked.link.cursor.flatMap(Int.init)
        let handled = Set(linked.link.handledRequests ?? [])
        var highest = after
        // create_job_in_procore comes once per imported project: one history entry for a poll's worth.
        var created: [ProcoreJobCreated] = []
        for request in try await intake.fetchERPRequests(after: after) {
            highest = max(highest ?? request.id, request.id)
            if handled.contains(request.id) { continue }
            if case .jobCreatedInProcore(let job)? = request.event {
                created.append(job)
                continue
            }
            if !created.isEmpty {
                await noteJobsCreated(created, site: linked.site)
                created = []
            }
            try await act(on: request, intake: intake, linked: linked)
        }
        if !created.isEmpty { await noteJobsCreated(created, site: linked.site) }
        return highest.map(String.init)
    }

    /// The requests webhooks named, each fetched with Show ERP Request as Procore's ERP guide asks
    /// (erp_events_dictionary.md: "fetching event payloads from the ERP Requests Show endpoint using the
    /// resource_id"), instead of listing every request the company ever had. They are recorded as handled, so
    /// the list's next poll skips them; the cursor stays where that poll left it, so a request whose webhook
    /// was lost is still found by the list. A request that cannot be fetched falls back to a poll of the list.
    /// (`create_job_in_procore`, sent once per project an accountant imports, is left to the list's poll, which notes
    /// a poll's worth in one staging-history entry.)
    func handle(requests ids: Set<Int>, _ linked: LinkedSite) async {
        await pollGate.enter(linked.site.id)
        defer { pollGate.leave(linked.site.id) }
        wakeRequests.withLock { pending in
            pending[linked.site.id]?.subtract(ids)
            if pending[linked.site.id]?.isEmpty == true { pending[linked.site.id] = nil }
        }
        guard let linked = await current(linked) else { return }
        let cursor = linked.link.cursor.flatMap(Int.init)
        let handled = Set(linked.link.handledRequests ?? [])
        // Past a thousand waiting for the list's poll to pass them, the list is polled instead (which prunes them).
        guard linked.link.style == .erpRequests, handled.count < 1_000 else {
            wake(site: linked.site)
            return
        }
        var done: [Int] = []
        do {
            let intake = try intake(for: linked)
            for id in ids.sorted() where !handled.contains(id) && cursor.map({ id > $0 }) ?? true {
                let request = try await intake.fetchERPRequest(id: id)
                if case .jobCreatedInProcore? = request.event {
                    // Importing projects sends one per project: the list's poll notes them in one history entry.
                    wake(site: linked.site)
                    continue
                }
                try await act(on: request, intake: intake, linked: linked)
                done.append(id)
            }
        } catch where !Task.isCancelled {
            logger.warning("fetching ERP requests \(ids.sorted()) named by webhooks for site \(linked.site.name) failed: \((error as? TielineError)?.message ?? "\(error)"); polling the list instead")
            wake(site: linked.site)
        } catch {}
        // Even when stopping: what was acted on is recorded, so the list's poll does not act on it again.
        guard !done.isEmpty else { return }
        do {
            try await storage.recordHandledRequests(done, site: linked.site)
        } catch {
            logger.warning("cannot record ERP requests \(done) as handled for site \(linked.site.name) (the next poll may act on them again): \(error)")
        }
    }

    /// Acts on one request (`create_job_in_procore` is noted by the list's poll, a poll's worth at a time).
    func act(on request: ERPRequest, intake: ProcoreIntake, linked: LinkedSite) async throws {
        switch request.event {
        case .createChangeOrder(let export):
            // Procore sends this once its accounting approver approved the export: no second Accept unless --hub-approval.
            try await queue.receive(export, site: linked.site, approvedInProcore: !linked.link.needsHubAccept)
        case .resetChangeOrder(let reset):
            try await settle(pccoID: reset.pccoID, site: linked.site, "a reset request from Procore") { id in
                _ = try await self.queue.reset(id: id, site: linked.site, actor: "procore")
            }
        case .unlinkChangeOrder(let unlink):
            try await settle(pccoID: unlink.pccoID, site: linked.site, "an unlink request from Procore") { id in
                _ = try await self.queue.unlink(id: id, site: linked.site, actor: "procore")
            }
        case .stage(let staging):
            await stage(staging, intake: intake, site: linked.site)
        case .jobCreatedInProcore:
            break
        case nil:
            // A request Tieline cannot read is closed as failed, so the user sees why instead of waiting.
            let message = request.error?.message ?? "request \(request.requestName) is not one Tieline handles"
            logger.warning("ERP request \(request.id) (\(request.requestName)) skipped: \(message)")
            if let detail = request.requestDetailID {
                try? await intake.closeRequestDetail(detail, success: false, messages: ["Tieline could not read this request: \(message)"])
            }
        }
    }
}
