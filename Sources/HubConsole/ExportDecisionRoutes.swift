import ConsoleSupport
import Foundation
import Hub
import Hummingbird
import TielineCore

/// The approver's Accept (with a Transaction Date) and Reject (with a comment), plus Retry and
/// Unlink, each through the hub's `ExportQueue` with the signed-in user as the actor.
struct ExportDecisionRoutes: Sendable {
    let pages: HubPages

    func add(to group: RouterGroup<HubConsoleContext>) {
        group.post("exports/:id/accept") { request, context -> Response in
            try await decide(context, needs: .decide) { queue, id, user in
                let date = try CalendarDate(parsing: context.console.form.text("transaction_date"), field: "Transaction Date")
                let record = try await queue.accept(id: id, site: user.site, transactionDate: date, actor: user.name)
                return "Accepted PCCO \(record.export.number) with Transaction Date \(date); the agent writes it into Sage next."
            }
        }
        group.post("exports/:id/reject") { request, context -> Response in
            try await decide(context, needs: .decide) { queue, id, user in
                let record = try await queue.reject(id: id, site: user.site, comment: context.console.form["comment"], actor: user.name)
                return "Rejected PCCO \(record.export.number); it is editable again in Procore."
            }
        }
        group.post("exports/:id/retry") { request, context -> Response in
            try await decide(context, needs: .decide) { queue, id, user in
                let record = try await queue.retry(id: id, site: user.site, actor: user.name)
                return "PCCO \(record.export.number) is \(record.status.label) again."
            }
        }
        group.post("exports/:id/unlink") { request, context -> Response in
            try await decide(context, needs: .admin) { queue, id, user in
                let record = try await queue.unlink(id: id, site: user.site, actor: user.name)
                return "Unlinked PCCO \(record.export.number); Sage keeps what was written."
            }
        }
    }

    enum Permission { case decide, admin }

    /// Checks the role (403 for a viewer), runs the move, and returns to the PCCO's page with its outcome.
    func decide(_ context: HubConsoleContext, needs: Permission,
                _ move: (ExportQueue, Int64, ConsoleUser) async throws -> String) async throws -> Response {
        let user = try context.user()
        let id = try QueryNumbers.id(context)
        switch needs {
        case .decide where !user.role.decidesExports:
            throw TielineError(.forbidden, "\(user.name) is a \(user.role.label.lowercased()) on \(user.site.name) and cannot Accept or Reject PCCOs")
        case .admin where user.role != .admin:
            throw TielineError(.forbidden, "only a site admin can do this")
        default: break
        }
        // The id must be the user's own site's; another site's export is not found, never touched.
        guard try await pages.console.storage.export(id: id, site: user.site) != nil else {
            throw TielineError(.notFound, "there is no export \(id) in site \(user.site.name)")
        }
        let back = "\(HubConsole.base)/exports/\(id)"
        do {
            let message = try await move(pages.queue, id, user)
            return pages.renderer.redirect(back, flash: Flash(.notice, message))
        } catch let error as TielineError where error.code != .forbidden && error.code != .notFound {
            return pages.renderer.redirect(back, flash: Flash(.error, error.message))
        }
    }
}
