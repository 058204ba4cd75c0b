import Foundation
import Hub
import SyncCore
import TielineCore

/// A small mirrored Sage company and PCCOs shaped to match (or not) it, for the export queue tests.
enum ExportFixtures {
    /// Job 24-118 with contract 24-118 (Approved) items 100 and 200; cost codes 03-300/M, 03-300/L and 01-900/O;
    /// contract 99-001 (Pending) on job 99-001; change order 005 on 24-118 entered in Sage.
    /// The site "acme" with `mirror`'s rows, and its agent token.
    static func mirroredSite(_ storage: any HubStorage) async throws -> (site: HubSite, token: String) {
        let token = try await storage.addSite("acme")
        let site = try await storage.sites()[0]
        try await mirror(storage, site: site)
        return (site, token)
    }

    static func mirror(_ storage: any HubStorage, site: HubSite, run: String = "mirror-1") async throws {
        _ = try await storage.beginRun(SyncRunStart(runID: run, connection: "Sage", type: .deep, timeframe: .beginningOfTime, startDate: nil,
                                                    entities: ["Job (CV)", "Contract (CN)", "Contract Item (CN)", "Transaction (JC)",
                                                               "Contract Change Order (CN)"]), site: site)
        let batches = [
            SyncBatch(runID: run, entity: "Job (CV)", sequence: 0, columns: ["Job", "Description"], key: ["Job"], dateColumn: nil,
                      upserts: [[.text("24-118"), .text("Riverside Clinic")], [.text("99-001"), .text("Warehouse")]], deletes: [], throughVersion: 1),
            SyncBatch(runID: run, entity: "Contract (CN)", sequence: 0, columns: ["Contract", "Job", "Status"], key: ["Contract"], dateColumn: nil,
                      upserts: [[.text("24-118"), .text("24-118"), .text("Approved")], [.text("99-001"), .text("99-001"), .text("Pending")]],
                      deletes: [], throughVersion: 2),
            SyncBatch(runID: run, entity: "Contract Item (CN)", sequence: 0, columns: ["Contract", "Item", "Job", "Cost_Code"],
                      key: ["Contract", "Item"], dateColumn: nil,
                      upserts: [[.text("24-118"), .text("100"), .text("24-118"), .text("01-100")],
                                [.text("24-118"), .text("200"), .text("24-118"), .text("03-300")]], deletes: [], throughVersion: 3),
            SyncBatch(runID: run, entity: "Transaction (JC)", sequence: 0, columns: ["Run", "Sequence", "Job", "Cost_Code", "Category", "Amount"],
                      key: ["Run", "Sequence"], dateColumn: nil,
                      upserts: [[.integer(1), .integer(1), .text("24-118"), .text("03-300"), .text("M"), .integer(100)],
                                [.integer(1), .integer(2), .text("24-118"), .text("03-300"), .text("L"), .integer(100)],
                                [.integer(1), .integer(3), .text("24-118"), .text("01-900"), .text("O"), .integer(100)]],
                      deletes: [], throughVersion: 4),
            SyncBatch(runID: run, entity: "Contract Change Order (CN)", sequence: 0,
                      columns: ["Contract", "Change_Order", "Description", "Status", "Amount", "Chg_Mgmt_Ref_1"], key: ["Contract", "Change_Order"],
                      dateColumn: nil, upserts: [[.text("24-118"), .text("005"), .text("Sage-entered"), .text("Approved"), .integer(5000), .null]],
                      deletes: [], throughVersion: 5),
        ]
        for batch in batches { _ = try await storage.applyBatch(batch, site: site) }
        try await storage.finishRun(runID: run, status: "completed", error: nil, site: site)
    }

    /// PCCO 007 on 24-118: item 200 coded 03-300/M with a markup to 01-900/O, and item 100 coded 03-300/L.
    static func pcco(id: Int = 7001, number: String = "007", title: String = "Added storm drain", job: String = "24-118",
                     contract: String = "24-118", intake: ChangeOrderExport.Intake = .erpRequest(requestDetailID: 55)) -> ChangeOrderExport {
        ChangeOrderExport(intake: intake, procoreCompanyID: 4201, procoreProjectID: 11, projectName: "Riverside Clinic", job: job,
                          procoreContractID: 21, contract: contract, pccoID: id, number: number, title: title, status: "approved",
                          transactionDate: try! CalendarDate(parsing: "2026-11-20"),
                          lines: [
                            .init(procoreID: 1, description: "Storm drain", amount: Money(cents: 1_000_000), contractItem: "200",
                                  costCode: "03-300", category: "M",
                                  markups: [.init(procoreID: 9, name: "Overhead and profit", amount: Money(cents: 150_000), costCode: "01-900", category: "O")]),
                            .init(procoreID: 2, description: "Labour", amount: Money(cents: 250_050), contractItem: "100", costCode: "03-300", category: "L"),
                          ])
    }

    static func written(_ export: ChangeOrderExport) -> SageWriteResult {
        SageWriteResult(contract: export.contract, changeOrder: export.number, items: ["100": Money(cents: 250_050), "200": Money(cents: 1_150_000)],
                        batch: "PROCORE", entries: [1, 2, 3, 4], total: export.total, alreadyWritten: false)
    }
}
