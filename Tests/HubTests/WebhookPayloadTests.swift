@testable import Hub
import NIOCore
import Testing

/// A Procore delivery names its ERP request by `resource_id` (erp_technical_guide.md); the hub fetches that request alone.
@Suite struct WebhookPayloadTests {
    static func id(_ json: String) -> Int? {
        WebhookRoutes.erpRequestID(ByteBuffer(string: json))
    }

    @Test func theERPRequestADeliveryNamesInEitherPayloadVersion() {
        // v2.0, what a hook gets unless asked otherwise (plan_your_app/payload_formats.md), and v4.0's string ids.
        #expect(Self.id(#"{"api_version":"v2.0","event_type":"create","resource_name":"ERP Requests","resource_id":54321}"#) == 54321)
        #expect(Self.id(#"{"reason":"create","resource_type":"ERP Requests","resource_id":"379913"}"#) == 379913)
    }

    @Test func anythingElseNamesNoRequestSoTheListIsPolled() {
        #expect(Self.id(#"{"resource_name":"RFIs","resource_id":54321}"#) == nil)
        #expect(Self.id(#"{"resource_name":"ERP Requests"}"#) == nil)
        #expect(Self.id(#"{"resource_name":"ERP Requests","resource_id":-4}"#) == nil)
        #expect(Self.id(#"{"resource_type":"ERP Requests","resource_id":"12a"}"#) == nil)
        #expect(Self.id("not json") == nil)
        #expect(Self.id("") == nil)
    }
}
