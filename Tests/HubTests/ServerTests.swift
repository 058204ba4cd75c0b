import AsyncHTTPClient
import Foundation
import Hub
import Testing

@Suite struct ServerTests {
    @Test(arguments: Backend.all) func healthAndMetricsAreOpen(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { h in
            let health = try await h.call("GET", "/health")
            #expect(health.status == 200)
            #expect(health.text == #"{"status":"ok"}"#)
            _ = try await h.call("GET", "/v1/site")
            let metrics = try await h.call("GET", "/metrics")
            #expect(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
            #expect(metrics.text.contains(#"tieline_hub_requests_total{method="GET",status="401"} 1"#))
            #expect(metrics.text.contains(#"tieline_hub_errors_total{code="unauthorized"} 1"#))
            #expect(try await h.call("GET", "/nowhere").errorCode == "not_found")
        }
    }

    @Test(arguments: Backend.all) func busyPortFailsToStartInsteadOfHanging(_ backend: Backend) async throws {
        try await HubHarness.with(backend) { (h: inout HubHarness) async throws in
            await #expect(throws: (any Error).self) {
                try await HubServer.start(storage: h.storage, port: h.hub.port, logger: HubHarness.quietLogger)
            }
            #expect(try await h.call("GET", "/health").status == 200)
        }
    }

    @Test(arguments: Backend.all) func shutdownStopsAnswering(_ backend: Backend) async throws {
        let h = try await HubHarness.start(backend)
        let url = h.hub.baseURL
        try await h.stop()
        var request = HTTPClientRequest(url: url + "/health")
        request.method = .GET
        await #expect(throws: (any Error).self) {
            _ = try await HTTPClient.shared.execute(request, timeout: .seconds(1))
        }
    }
}
