@testable import Agent
import Foundation
import Hummingbird
import Synchronization
import SyncCore
import Testing
import TielineCore

/// A written batch is reported in one request; a hub that refuses it (one without `POST /v1/exports/results`)
/// is told export by export, so no outcome is lost.
@Suite struct ExportReportFallbackTests {
    @Test func aHubWithoutBatchReportsIsToldExportByExport() async throws {
        let told = Mutex<[Int64]>([])
        try await withTestRouter({ router in
            // No /v1/exports/results here: the hub of an earlier version answers 404.
            router.post("/v1/exports/:id/result") { _, context -> Response in
                let id = Int64(context.parameters.get("id") ?? "") ?? 0
                told.withLock { $0.append(id) }
                return jsonResponse(#"{"id":\#(id),"status":"failed"}"#)
            }
        }) { port in
            let reported = Mutex<[String]>([])
            let worker = ExportWorker(home: TielineHome(url: FileManager.default.temporaryDirectory), onEvent: { event in
                if case .reported(let id, let status) = event { reported.withLock { $0.append("\(id) \(status)") } }
            })
            let client = HubClient(url: "http://127.0.0.1:\(port)", token: "tl_test")
            let outcome = ExportOutcome(errorCode: "sage_refused", errorMessage: "contract 24-118 is closed")
            await worker.reportAll([(11, outcome), (12, outcome), (13, outcome)], client: client, stop: StopSignal())
            #expect(told.withLock { $0 } == [11, 12, 13])
            #expect(reported.withLock { $0 } == ["11 failed", "12 failed", "13 failed"])
        }
    }
}
