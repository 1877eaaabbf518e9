import Testing
@testable import AMQPTransport
@testable import Broker

/// Header texts quoting others (a validation failure, Genesys' code and correlation id) stay far inside a frame.
@Suite struct QueueHeadersCapTests {
    @Test func aLongReasonIsCutAtACharacterBoundary() throws {
        let reason = "'metadata." + String(repeating: "é", count: 5_000) + "' must be a string"
        let headers = Dictionary(uniqueKeysWithValues: QueueHeaders.final(from: [:], reason: reason, error: nil, org: nil))
        guard case .string(let written)? = headers[QueueHeaders.reason] else {
            Issue.record("no reason header")
            return
        }
        #expect(written.utf8.count <= QueueHeaders.maximumTextBytes)
        #expect(written.hasPrefix("'metadata.éé") && written.hasSuffix("é…"))
        #expect(QueueHeaders.capped("short") == "short")
    }
}
