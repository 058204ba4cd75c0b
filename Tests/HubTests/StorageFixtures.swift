import Foundation
import Hub
import SyncCore
import TielineCore

/// Exports, Procore links and runs for storage-level tests; whole-second dates so records compare equal after a round trip.
enum StorageFixtures {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func export(pcco: Int, status: ExportStatus = .ready) -> HubExport {
        let order = ChangeOrderExport(intake: .publicAPI, procoreProjectID: 1, projectName: "Tower", job: "24-118", procoreContractID: 7,
                                      contract: "24-118", pccoID: pcco, number: "\(pcco % 100_000)", title: "PCCO \(pcco)",
                                      status: "approved", lines: [])
        var export = HubExport(export: order, problems: [], now: now)
        export.status = status
        return export
    }

    static func received(_ export: HubExport) -> ExportEvent {
        ExportEvent(at: now, actor: "procore", action: "received", detail: "PCCO \(export.pccoID)")
    }

    static func link(company: Int, cursor: String? = nil, webhook: String? = nil) -> ProcoreLink {
        ProcoreLink(baseURL: "http://127.0.0.1:1", companyID: company, clientID: "client", sealedSecret: Data([1, 2, 3]),
                    style: .publicAPI, pollSeconds: 60, webhookTokenHash: webhook, cursor: cursor)
    }

    /// A site with an open Deep run `run-1`.
    static func siteWithRun(_ storage: any HubStorage, name: String = "Acme") async throws -> HubSite {
        _ = try await storage.addSite(name)
        let site = try await storage.sites().first { $0.name == name }!
        let start = SyncRunStart(runID: "run-1", connection: "Main", type: .deep, timeframe: .beginningOfTime, startDate: nil,
                                 entities: ["Transaction (JC)"])
        _ = try await storage.beginRun(start, site: site)
        return site
    }
}
