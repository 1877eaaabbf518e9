import BrokerTesting
import GatewayTestSupport
import Testing
@testable import Broker
@testable import GatewayCore
@testable import OrgServices
@testable import QueuePipeline

/// The whole consuming side on the in-memory broker: router, org queue subscriptions, dispatcher and processor, as
/// `genesys-gateway run` wires them.
@Suite(.timeLimit(.minutes(2))) struct OutboundConsumerTests {
    static func consumer(_ fixture: PipelineFixture) -> OutboundConsumer {
        OutboundConsumer(
            client: fixture.broker, delivery: fixture.delivery, registry: fixture.registry, status: fixture.statuses,
            backlog: OrgBacklogBoard(client: fixture.broker), clock: fixture.clock, perOrgInFlight: 8,
            shutdownTimeout: .seconds(5), logger: fixture.logger)
    }

    /// 30 messages of three conversations: each reaches Genesys in its conversation's order, each original leaves the
    /// ingress queue only after its copy was confirmed in the org queue, each copy is acked only after its send,
    /// and the consumer stops when the broker does, with nothing unsettled.
    @Test func everyMessageIsSentInConversationOrderAndAckedAfterItsStep() async throws {
        let fixture = try PipelineFixture(ingressPrefetch: 10)
        let consumer = Self.consumer(fixture)
        let running = Task { try await consumer.run() }
        let ids = (0..<10).flatMap { sequence in ["A", "B", "C"].map { (id: "\($0)\(sequence)", customer: $0) } }
        for (id, customer) in ids {
            fixture.broker.enqueue(PipelineFixture.message(id, customer: customer), messageID: id)
        }

        #expect(await fixture.settle { fixture.acked(in: fixture.orgQueue).count == ids.count })
        for customer in ["A", "B", "C"] {
            let expected = (0..<10).map { "\(customer)\($0)" }
            #expect(fixture.sentTexts.filter { $0.hasPrefix(customer) } == expected)
            #expect(fixture.acked(in: fixture.orgQueue).filter { $0.hasPrefix(customer) } == expected)
        }
        let events = fixture.broker.events
        for (id, _) in ids {
            let copied = events.firstIndex(of: .published(queue: fixture.orgQueue, messageID: id))
            let original = events.firstIndex(of: .acked(queue: fixture.broker.topology.outbound, messageID: id))
            #expect(copied != nil && original != nil && copied! < original!, "\(id): acked before its copy was confirmed")
            #expect(await fixture.statuses.entry(for: id, tenantID: "acme")?.latest.status == .sent)
        }
        fixture.broker.stop()
        try await running.value
        #expect(fixture.broker.unackedCount(in: fixture.orgQueue) == 0)
        #expect(fixture.broker.unackedCount(in: fixture.broker.topology.outbound) == 0)
    }

    /// The direct path: once the org's queue is consumed, it is bound to the org exchange by `<tenant>.<org>` and (the
    /// default org) by `<tenant>`, so a message published with either key goes straight into it, is sent, and never
    /// passes the router; a key no queue is bound with still reaches the router and is sent.
    @Test func messagesPublishedWithTheirOrgsKeySkipTheRouter() async throws {
        let fixture = try PipelineFixture(ingressPrefetch: 10)
        let consumer = Self.consumer(fixture)
        let running = Task { try await consumer.run() }
        let topology = fixture.broker.topology
        #expect(await fixture.settle { fixture.broker.subscribedQueues.contains(fixture.orgQueue) })
        for (id, key) in [("m-1", "acme.main"), ("m-2", "acme"), ("m-3", "acme.nobody")] {
            fixture.broker.submit(AMQPMessage(
                exchange: topology.orgExchange, routingKey: key, body: PipelineFixture.message(id, customer: "A"), messageID: id,
                mandatory: true))
        }

        #expect(await fixture.settle { fixture.acked(in: fixture.orgQueue).count == 3 })
        #expect(fixture.sentTexts == ["m-1", "m-2", "m-3"])
        let events = fixture.broker.events
        for id in ["m-1", "m-2"] {
            #expect(events.filter { $0 == .published(queue: fixture.orgQueue, messageID: id) }.count == 1)
            #expect(!events.contains(.acked(queue: topology.outbound, messageID: id)), "\(id) went through the router")
        }
        #expect(events.contains(.acked(queue: topology.outbound, messageID: "m-3")), "an unbound key must reach the router")
        fixture.broker.stop()
        try await running.value
    }

    /// A routing key that names another org than the message itself does is a publisher's mistake: the message is
    /// dead-lettered with a reason that says so, not sent under the queue's org (its rate, its credentials).
    @Test func aMessageWhoseRoutingKeyNamesAnotherOrgIsDeadLetteredAsMisrouted() async throws {
        let fixture = try PipelineFixture(ingressPrefetch: 10)
        let consumer = Self.consumer(fixture)
        let running = Task { try await consumer.run() }
        let topology = fixture.broker.topology
        #expect(await fixture.settle { fixture.broker.subscribedQueues.contains(fixture.orgQueue) })
        let body = String(decoding: PipelineFixture.message("m-1", customer: "A"), as: UTF8.self)
            .replacingOccurrences(of: #""org":"main""#, with: #""org":"sales""#)
        fixture.broker.submit(AMQPMessage(
            exchange: topology.orgExchange, routingKey: "acme.main", body: Array(body.utf8), messageID: "m-1", mandatory: true))

        #expect(await fixture.settle { fixture.acked(in: fixture.orgQueue) == ["m-1"] })
        #expect(fixture.sentTexts.isEmpty)
        let deadLettered = try #require(fixture.broker.messages(in: topology.deadLetterQueue).first)
        let reason = deadLettered.headers[QueueHeaders.reason]?.stringValue ?? ""
        #expect(reason.contains("misrouted") && reason.contains("acme/sales") && reason.contains("'acme.sales'"), "\(reason)")
        fixture.broker.stop()
        try await running.value
    }

    /// A message Genesys refuses for good (400) is dead-lettered: its copy confirmed in the DLQ, then the original acked.
    @Test func aRefusedMessageIsDeadLetteredBeforeItIsAcked() async throws {
        let fixture = try PipelineFixture(ingressPrefetch: 10) { text in text == "bad" ? 400 : 200 }
        let consumer = Self.consumer(fixture)
        let running = Task { try await consumer.run() }
        fixture.broker.enqueue(PipelineFixture.message("m-1", customer: "A", text: "bad"), messageID: "m-1")

        #expect(await fixture.settle { fixture.acked(in: fixture.orgQueue) == ["m-1"] })
        let events = fixture.broker.events
        let deadLettered = events.firstIndex(of: .published(queue: fixture.broker.topology.deadLetterQueue, messageID: "m-1"))
        let acked = events.firstIndex(of: .acked(queue: fixture.orgQueue, messageID: "m-1"))
        #expect(deadLettered != nil && acked != nil && deadLettered! < acked!)
        #expect(fixture.broker.messages(in: fixture.broker.topology.deadLetterQueue).count == 1)
        fixture.broker.stop()
        try await running.value
    }
}
