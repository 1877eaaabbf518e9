import Foundation
import GatewayTestSupport
import Logging
import PluginKit
import Testing
import BrokerTesting
@testable import OrgServices
@testable import QueuePipeline
@testable import Broker

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
        let broker = InMemoryBroker(ingressPrefetch: 0)
        let topology = broker.topology
        let statuses = MessageStatusStore()
        let processor = MessageProcessor(
            client: broker, delivery: fixture.delivery, registry: fixture.registry, status: statuses, topology: topology,
            clock: fixture.clock, logger: logger)
        broker.enqueue(Fixture.message, messageID: "m-1")
        _ = broker.take(from: topology.outbound)
        broker.dropConnection()  // so the message comes again, redelivered
        let inbound = try #require(broker.take(from: topology.outbound))
        #expect(inbound.delivery.redelivered)

        let message = try QueuedMessage.decode(Fixture.message).get()
        #expect(await processor.process(inbound, message: message, sequence: 0) == .finished)
        #expect(fixture.messageRequests == 0)
        #expect(broker.events.last == .acked(queue: topology.outbound, messageID: "m-1"))
        #expect(broker.unackedCount(in: topology.outbound) == 0)
        let sent = try #require(await statuses.entry(for: "m-1", tenantID: "acme")?.latest)
        #expect(sent.status == .sent && sent.duplicate == true && sent.possibleDuplicate == nil)
        #expect(sent.genesysMessageId == "g-earlier" && sent.conversationId == "c-earlier")
    }
}
