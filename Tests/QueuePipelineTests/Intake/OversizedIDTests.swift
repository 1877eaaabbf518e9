import BrokerTesting
import Foundation
import Testing
@testable import Broker
@testable import QueuePipeline

/// Issue 25: a message id travels as the AMQP message-id property (255 bytes at most) of every copy the gateway
/// makes. A longer one made each retry, dead-letter and status publish fail, so the message was redelivered and
/// sent again, endlessly; it is refused at intake now, with a reason naming the field, and never sent.
@Suite struct OversizedIDTests {
    @Test(arguments: [256, 4_096])
    func aMessageWhoseIDIsLongerThanAnAMQPShortStringIsDeadLetteredUnsent(bytes: Int) async throws {
        let fixture = try PipelineFixture()
        let id = String(repeating: "x", count: bytes)
        fixture.broker.enqueue(PipelineFixture.message(id, customer: "c-1"))
        let inbound = try #require(fixture.broker.take(from: fixture.broker.topology.outbound))

        let result = await fixture.processor().process(inbound, message: nil, sequence: 0)

        #expect(result == .finished)
        #expect(fixture.sentTexts.isEmpty, "a message with a \(bytes)-byte id was sent")
        let deadLettered = fixture.broker.messages(in: fixture.broker.topology.deadLetterQueue)
        #expect(deadLettered.count == 1)
        let reason = deadLettered.first?.headers[QueueHeaders.reason]?.stringValue ?? ""
        #expect(reason.contains("'id' must be 1 to 255 bytes (UTF-8), got \(bytes)"), "reason: \(reason)")
    }

    @Test func anIDOfExactly255BytesIsSent() async throws {
        let fixture = try PipelineFixture()
        let id = String(repeating: "é", count: 127) + "x"  // 255 bytes in UTF-8
        fixture.broker.enqueue(PipelineFixture.message(id, customer: "c-1", text: "fits"))
        let inbound = try #require(fixture.broker.take(from: fixture.broker.topology.outbound))

        #expect(await fixture.processor().process(inbound, message: nil, sequence: 0) == .finished)
        #expect(fixture.sentTexts == ["fits"])
    }
}
