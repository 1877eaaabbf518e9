import Testing
@testable import PluginKit

/// The hand-written ISO-8601 check the senders run on every message's `createdAt`.
@Suite struct DateTimeCheckTests {
    @Test(arguments: [
        "2026-11-25T10:00:00Z", "2026-11-25T10:00:00.1Z", "2026-11-25T10:00:00.123456789Z",
        "2026-11-25T10:00:00+01:00", "2026-11-25T10:00:00.5-05:30", "2024-02-29T23:59:59Z", "2000-02-29T00:00:00-23:59",
    ])
    func accepts(_ text: String) {
        #expect(OpenInboundRequest.isDateTime(text))
    }

    @Test(arguments: [
        "", "yesterday", "2026-11-25", "2026-11-25 10:00:00Z", "2026-11-25T10:00:00", "2026-11-25T10:00:00.Z",
        "2026-11-25T10:00:00.1234567890Z", "2026-11-25T10:00:00+0100", "2026-11-25T10:00:00Zjunk", "2026-1-25T10:00:00Z",
        "2026-11-25T10:00:00+01:00:00",
        // Out of range: what docs/openapi.yaml's pattern and the C typing plugin refuse too.
        "2026-13-01T10:00:00Z", "2026-00-10T10:00:00Z", "2026-02-29T10:00:00Z", "1900-02-29T10:00:00Z", "2026-04-31T10:00:00Z",
        "2026-11-00T10:00:00Z", "2026-11-25T24:00:00Z", "2026-11-25T10:60:00Z", "2026-11-25T10:00:60Z", "2026-11-25T10:00:00+24:00",
        "2026-11-25T10:00:00-05:60",
    ])
    func refuses(_ text: String) {
        #expect(!OpenInboundRequest.isDateTime(text))
    }
}
