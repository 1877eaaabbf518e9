import BrokerTesting
import GatewayTestSupport
import Testing
@testable import Broker
@testable import GatewayCore
@testable import QueuePipeline

/// The dispatcher on the in-memory broker: a conversation's messages one at a time in queue order, others beside
/// them; a message the broker could not take back hands its conversation back in order; a delivery whose
/// connection went is left to the broker.
@Suite(.timeLimit(.minutes(2))) struct DispatcherTests {
    static func dispatcher(_ fixture: PipelineFixture, jobs: MessageJobs, prefetch: Int = 10) -> Dispatcher {
        Dispatcher(
            processor: fixture.processor(), client: fixture.broker, backlog: OrgBacklogBoard(client: fixture.broker), jobs: jobs,
            prefetch: { _ in prefetch })
    }

    /// Hands `ids` from the org queue to the dispatcher, as the consumer does.
    static func submit(_ ids: [(id: String, customer: String)], to dispatcher: Dispatcher, _ fixture: PipelineFixture) async throws {
        fixture.broker.declare(fixture.orgQueue)
        for (id, customer) in ids {
            fixture.broker.enqueue(PipelineFixture.message(id, customer: customer), messageID: id, queue: fixture.orgQueue)
        }
        for _ in ids {
            let delivery = try #require(fixture.broker.take(from: fixture.orgQueue))
            await dispatcher.submit(delivery, org: PipelineFixture.org)
        }
    }

    @Test func aConversationsMessagesGoOneAtATimeInQueueOrderWhileAnotherConversationGoesOn() async throws {
        let gate = Gate()
        let fixture = try PipelineFixture { text in
            if text == "a1" { await gate.wait() }
            return 200
        }
        try await fixture.withJobs { jobs in
            let dispatcher = Self.dispatcher(fixture, jobs: jobs)
            try await Self.submit([("a1", "A"), ("a2", "A"), ("b1", "B")], to: dispatcher, fixture)

            #expect(await fixture.settle { fixture.acked(in: fixture.orgQueue) == ["b1"] }, "B's message waited for A's")
            #expect(fixture.sentTexts.sorted() == ["a1", "b1"], "a2 was sent while a1 was still in Genesys")
            gate.open()
            #expect(await fixture.settle { fixture.acked(in: fixture.orgQueue).count == 3 })
            #expect(fixture.acked(in: fixture.orgQueue) == ["b1", "a1", "a2"])
            #expect(fixture.sentTexts.filter { $0.hasPrefix("a") } == ["a1", "a2"])
            #expect(await dispatcher.pending == 0)
        }
    }

    /// a1 fails (503) and must wait in a retry tier, but the broker refuses the tier's copy: a1 stays unacked and is
    /// handed back, and a2 behind it, in that order, so the broker redelivers them in conversation order.
    @Test func aMessageTheBrokerCouldNotTakeBackHandsItsConversationBackInOrder() async throws {
        let fixture = try PipelineFixture { text in text == "a1" ? 503 : 200 }
        let tier = fixture.broker.topology.retryQueue(for: fixture.broker.topology.tier(for: .seconds(1)))
        for tier in fixture.broker.topology.retryTiers { fixture.broker.refusePublishes(to: fixture.broker.topology.retryQueue(for: tier)) }
        try await fixture.withJobs { jobs in
            let dispatcher = Self.dispatcher(fixture, jobs: jobs, prefetch: 2) // a conversation may hold half: a1 cannot wait here
            try await Self.submit([("a1", "A"), ("a2", "A")], to: dispatcher, fixture)

            #expect(await fixture.settle { await dispatcher.pending == 0 })
            let settled = fixture.broker.events.filter {
                if case .published = $0 { return false }
                return true
            }
            #expect(settled == [
                .refused(queue: tier, messageID: "a1", reason: "NACK"),
                .requeued(queue: fixture.orgQueue, messageID: "a1"),
                .requeued(queue: fixture.orgQueue, messageID: "a2"),
            ])
            #expect(fixture.sentTexts == ["a1"], "a2 overtook a1")
            #expect(fixture.broker.messages(in: fixture.orgQueue).map(\.messageID) == ["a1", "a2"])
            #expect(fixture.broker.messages(in: fixture.orgQueue).allSatisfy { $0.redelivered })
        }
    }

    @Test func aDeliveryWhoseConnectionWentIsLeftToTheBroker() async throws {
        let fixture = try PipelineFixture()
        try await fixture.withJobs { jobs in
            let dispatcher = Self.dispatcher(fixture, jobs: jobs)
            fixture.broker.declare(fixture.orgQueue)
            fixture.broker.enqueue(PipelineFixture.message("a1", customer: "A"), messageID: "a1", queue: fixture.orgQueue)
            let stale = try #require(fixture.broker.take(from: fixture.orgQueue))
            fixture.broker.dropConnection()

            await dispatcher.submit(stale, org: PipelineFixture.org)
            #expect(await fixture.settle { await dispatcher.pending == 0 })
            #expect(fixture.sentTexts.isEmpty, "a delivery of a gone connection was sent")
            #expect(fixture.acked(in: fixture.orgQueue).isEmpty)
            #expect(fixture.broker.messages(in: fixture.orgQueue).map(\.messageID) == ["a1"], "the broker keeps it for redelivery")
        }
    }

    /// a1 fails once (503) and waits in a retry tier; a2, behind it in the same conversation, follows it into the
    /// tier rather than overtaking it, and both originals are acked only after the tier confirmed their copies.
    @Test func aConversationsLaterMessagesFollowItsHeadIntoTheRetryTier() async throws {
        let fixture = try PipelineFixture { text in text == "a1" ? 503 : 200 }
        try await fixture.withJobs { jobs in
            let dispatcher = Self.dispatcher(fixture, jobs: jobs, prefetch: 2)
            try await Self.submit([("a1", "A"), ("a2", "A")], to: dispatcher, fixture)

            #expect(await fixture.settle { await dispatcher.pending == 0 })
            let tier = fixture.broker.topology.retryQueue(for: fixture.broker.topology.tier(for: .seconds(1)))
            #expect(fixture.broker.messages(in: tier).map(\.messageID) == ["a1", "a2"])
            #expect(fixture.acked(in: fixture.orgQueue) == ["a1", "a2"])
            #expect(fixture.sentTexts == ["a1"], "a2 was sent while a1 waited for its retry")
        }
    }
}
