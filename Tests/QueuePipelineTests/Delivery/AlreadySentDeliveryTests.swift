import Foundation
import GatewayTestSupport
import Logging
import PluginKit
import Testing
@testable import AMQPTransport
@testable import OrgServices
@testable import QueuePipeline

/// What the delivery core and the queue path make of the idempotency record's answer as a send starts
/// (``SendStart``): another replica's receipt written after the receipt check stops the send, another run's
/// mark flags it (manual clock, scripted Genesys: nothing sleeps, nothing leaves the process).
@Suite struct AlreadySentDeliveryTests {
    typealias Fixture = WaitingForGenesysTests.Fixture

    /// A record another replica changed between the receipt check and the send: the check finds nothing,
    /// taking the mark finds `start`.
    actor RacedRecord: IdempotencyStore {
        let start: SendStart
        private(set) var recorded: [DeliveryReceipt] = []

        init(start: SendStart) { self.start = start }

        func record(_ receipt: DeliveryReceipt) { recorded.append(receipt) }
        func receipt(for messageID: String, tenantID: String) -> DeliveryReceipt? { nil }
        // `async`: a synchronous isolated method would lose to the protocol's default (see FileIdempotencyStore).
        func sendStarting(_ messageID: String, tenantID: String) async -> SendStart { start }
    }

    static let earlier = DeliveryReceipt(
        messageID: "m-1", org: Fixture.org, genesysMessageID: "g-earlier", conversationID: "c-earlier", correlationID: nil,
        genesysDuration: .zero)

    @Test func aReceiptFoundAsTheSendStartsIsReportedNotSent() async throws {
        let record = RacedRecord(start: .alreadySent(Self.earlier))
        let fixture = try Fixture(answers: [], sent: record)
        #expect(await fixture.deliver() == .alreadyDelivered(Self.earlier))
        #expect(fixture.messageRequests == 0)
        #expect(await record.recorded.isEmpty, "the receipt is the record's own: not written again")
    }

    @Test func anotherRunsMarkFoundAsTheSendStartsFlagsTheDelivery() async throws {
        let record = RacedRecord(start: .possiblySentElsewhere)
        let fixture = try Fixture(answers: [], sent: record)
        guard case .delivered(let receipt) = await fixture.deliver() else {
            Issue.record("not delivered")
            return
        }
        #expect(receipt.possibleDuplicate && receipt.genesysMessageID == "g-1")
        #expect(fixture.messageRequests == 1)
        #expect(await record.recorded.count == 1)
    }

    /// The queue path: the message is acked and its `sent` event says duplicate, as when the receipt check finds it.
    @Test func aQueuedMessageFoundSentAsItsSendStartsIsAckedAsADuplicate() async throws {
        let fixture = try Fixture(answers: [], sent: RacedRecord(start: .alreadySent(Self.earlier)))
        let logger = Logger(label: "already-sent-tests") { _ in SwiftLogNoOpLogHandler() }
        let topology = QueueTopology()
        // Never run: acks stay in its inbox, where the test reads them.
        let client = AMQPClient(settings: .init(url: "amqp://guest:guest@127.0.0.1:1", topology: topology, prefetch: 0), logger: logger)
        let statuses = MessageStatusStore()
        let processor = MessageProcessor(
            client: client, delivery: fixture.delivery, registry: fixture.registry, status: statuses, topology: topology,
            clock: fixture.clock, logger: logger)
        let delivery = AMQPDelivery(
            deliveryTag: 7, redelivered: true, routingKey: topology.outbound, body: Fixture.message, headers: [:], messageID: "m-1")
        let inbound = AMQPClient.Inbound(delivery: delivery, generation: client.generation, channel: 1, queue: topology.outbound)

        let message = try QueuedMessage.decode(Fixture.message).get()
        #expect(await processor.process(inbound, message: message, sequence: 0) == .finished)
        #expect(fixture.messageRequests == 0)
        let acked = client.inbox.withLock { inbox in
            inbox.operations.compactMap { operation -> UInt64? in
                guard case .ack(let pending) = operation, pending.kind == .ack else { return nil }
                return pending.tag
            }
        }
        #expect(acked == [7])
        let sent = try #require(await statuses.entry(for: "m-1", tenantID: "acme")?.latest)
        #expect(sent.status == .sent && sent.duplicate == true && sent.possibleDuplicate == nil)
        #expect(sent.genesysMessageId == "g-earlier" && sent.conversationId == "c-earlier")
    }
}
