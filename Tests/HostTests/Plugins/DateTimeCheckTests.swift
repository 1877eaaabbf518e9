import Testing
@testable import PluginKit

/// The hand-written ISO-8601 check the senders run on every message's `createdAt`.
@Suite struct DateTimeCheckTests {
    @Test(arguments: [
        "2026-11-25T10:00:00Z", "2026-11-25T10:00:00.1Z", "2026-11-25T10:00:00.123456789Z",
        "2026-11-25T10:00:00+01:00", "2026-11-25T10:00:00.5-05:30",
    ])
    func accepts(_ text: String) {
        #expect(OpenInboundRequest.isDateTime(text))
    }

    @Test(arguments: [
        "", "yesterday", "2026-11-25", "2026-11-25 10:00:00Z", "2026-11-25T10:00:00", "2026-11-25T10:00:00.Z",
        "2026-11-25T10:00:00.1234567890Z", "2026-11-25T10:00:00+0100", "2026-11-25T10:00:00Zjunk", "2026-1-25T10:00:00Z",
        "2026-11-25T10:00:00+01:00:00",
    ])
    func refuses(_ text: String) {
        #expect(!OpenInboundRequest.isDateTime(text))
    }
}
