import Foundation
import Hummingbird
import SyncCore
import TielineCore

/// `/v1/exports`: the agent's long-poll (`next?wait=S&max=N&checks=1` answers an array, or 204), its write results and Sage checks.
struct ExportRoutes {
    let queue: ExportQueue
    /// The longest a long-poll may hold a request.
    static let maxWait = 60

    struct Recorded: Codable {
        var id: Int64
        var status: String
    }

    func add(to group: RouterGroup<HubRequestContext>) {
        group.get("next") { request, context in
            let site = try context.requireSite()
            let wait = try QueryNumbers.integer(request, "wait", default: 25, in: 0...Self.maxWait)
            let max = try QueryNumbers.integer(request, "max", default: 1, in: 1...100)
            let agent = try Self.agent(request)
            // Only agents that say they check (`checks=1`) are handed checks: an older agent would write them.
            let checks = request.uri.queryParameters.get("checks") == "1"
            let assignments = try await queue.next(site: site, agent: agent, max: max, wait: .seconds(wait), checks: checks)
            guard !assignments.isEmpty else { return Response(status: .noContent) }
            context.logger.info("exports handed to agent", metadata: ["exports": "\(assignments.map(\.id))"])
            return JSONBody.response(assignments)
        }
        group.post("results") { request, context in
            let site = try context.requireSite()
            let reports = try await JSONBody.decode([ReportedOutcome].self, from: request, what: "a list of {id, outcome}")
            guard (1...Self.maxReports).contains(reports.count) else {
                throw TielineError(.invalidInput, "a report lists 1 to \(Self.maxReports) outcomes, not \(reports.count)")
            }
            for report in reports {
                guard report.id >= 1 else { throw TielineError(.invalidInput, "id must be a whole number from 1 to \(Int64.max), not \(report.id)") }
                try Self.check(report.outcome, id: report.id)
            }
            let records = try await queue.recordOutcomes(reports.map { ($0.id, $0.outcome) }, site: site, agent: try Self.agent(request))
            return JSONBody.response(records.map { Recorded(id: $0.id, status: $0.status.rawValue) })
        }
        group.post(":id/result") { request, context in
            let site = try context.requireSite()
            let id = try QueryNumbers.id(context)
            let outcome = try await JSONBody.decode(ExportOutcome.self, from: request, what: "ExportOutcome")
            try Self.check(outcome, id: nil)
            let record = try await queue.recordOutcome(id: id, site: site, agent: try Self.agent(request), outcome: outcome)
            return JSONBody.response(Recorded(id: record.id, status: record.status.rawValue))
        }
        group.post(":id/check") { request, context in
            let site = try context.requireSite()
            let id = try QueryNumbers.id(context)
            let check = try await JSONBody.decode(SageCheck.self, from: request, what: "SageCheck")
            let agent = try Self.agent(request)
            // Sage could not be read: no verdict, the check is handed out again later.
            let record = if let reason = check.unreadable {
                try await queue.recordCheckUnanswered(id: id, site: site, agent: agent, reason: reason)
            } else {
                try await queue.recordCheck(id: id, site: site, agent: agent, problems: check.problems)
            }
            return JSONBody.response(Recorded(id: record.id, status: record.status.rawValue))
        }
        group.post("release") { request, context in
            let site = try context.requireSite()
            let released = try await queue.release(site: site, agent: try Self.agent(request))
            return JSONBody.response(["released": released])
        }
    }

    /// The most outcomes one report may carry (the agent claims at most 100 at once).
    static let maxReports = 100

    /// One export's outcome in a batch report (`POST /v1/exports/results`).
    struct ReportedOutcome: Codable {
        var id: Int64
        var outcome: ExportOutcome
    }

    static func check(_ outcome: ExportOutcome, id: Int64?) throws {
        guard (outcome.written == nil) != (outcome.errorMessage == nil) else {
            throw TielineError(.invalidInput, "an ExportOutcome\(id.map { " (export \($0))" } ?? "") carries either 'written' or 'errorCode'/'errorMessage', not both or neither")
        }
    }

    /// The agent instance asking (`?agent=`), so a restarted agent's old claims can be told apart.
    static func agent(_ request: Request) throws -> String {
        let agent = request.uri.queryParameters.get("agent").map { String($0) } ?? "agent"
        guard !agent.isEmpty, agent.count <= 100, agent.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.:".contains($0)) }) else {
            throw TielineError(.invalidInput, "agent must be 1 to 100 characters of letters, digits, '-', '_', '.' or ':'")
        }
        return agent
    }
}
