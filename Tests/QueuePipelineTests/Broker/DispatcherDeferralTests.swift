import BrokerTesting
import GatewayTestSupport
import Testing
@testable import Broker
@testable import GatewayCore
@testable import QueuePipeline

/// Issue 30: a conversation's later messages followed its head round the retry tiers until the head came back
/// through this dispatcher, which it never did once the org moved to another replica (a rolling deploy) or its
/// tenant was switched off: the conversation stalled for ever and nothing reached the dead-letter queue. Now a
/// deferral ends with its org here, or when its messages stay away too long, and a message that expired or ran out
/// of retry time while waiting is settled instead of going round again.
@Suite(.timeLimit(.minutes(2))) struct DispatcherDeferralTests {
    /// a1 fails and goes to the 1 s tier (a conversation may hold only half of a prefetch of 2); a2 follows it.
    static func deferHead(_ fixture: PipelineFixture, _ dispatcher: Dispatcher) async throws {
        try await DispatcherTests.submit([("a1", "A"), ("a2", "A")], to: dispatcher, fixture)
        #expect(await fixture.settle { await dispatcher.pending == 0 })
        #expect(fixture.broker.messages(in: Self.tier(fixture)).map(\.messageID) == ["a1", "a2"])
    }

    static func tier(_ fixture: PipelineFixture) -> String {
        fixture.broker.topology.retryQueue(for: fixture.broker.topology.tier(for: .seconds(1)))
    }

    @Test func aDeferralWhoseHeadNeverComesBackEndsAfterItsLifetime() async throws {
        let fixture = try PipelineFixture { text in text == "a1" ? 503 : 200 }
        try await fixture.withJobs { jobs in
            let dispatcher = DispatcherTests.dispatcher(fixture, jobs: jobs, prefetch: 2)
            try await Self.deferHead(fixture, dispatcher)
            // The org moved to another replica: a1 and a2 come back there, never here.
            while fixture.broker.take(from: Self.tier(fixture)) != nil {}

            try await DispatcherTests.submit([("a3", "A")], to: dispatcher, fixture)
            #expect(await fixture.settle { await dispatcher.pending == 0 })
            #expect(fixture.sentTexts == ["a1"], "a3 overtook a deferral still within its lifetime")

            fixture.clock.advance(by: Dispatcher.deferralLifetime(tier: .seconds(1)) + .seconds(1))
            try await DispatcherTests.submit([("a4", "A")], to: dispatcher, fixture)
            #expect(await fixture.settle { fixture.sentTexts == ["a1", "a4"] }, "a4 still waits for a head that will never come back")
        }
    }

    @Test func lettingGoOfAnOrgEndsItsConversationsDeferrals() async throws {
        let fixture = try PipelineFixture { text in text == "a1" ? 503 : 200 }
        try await fixture.withJobs { jobs in
            let dispatcher = DispatcherTests.dispatcher(fixture, jobs: jobs, prefetch: 2)
            try await Self.deferHead(fixture, dispatcher)
            await dispatcher.forget(PipelineFixture.org)
            try await DispatcherTests.submit([("a3", "A")], to: dispatcher, fixture)
            #expect(await fixture.settle { fixture.sentTexts == ["a1", "a3"] })
        }
    }

    @Test func aMessageThatExpiredWhileItsHeadWaitsIsSettledNotSentRound() async throws {
        let fixture = try PipelineFixture { text in text == "a1" ? 503 : 200 }
        try await fixture.withJobs { jobs in
            let dispatcher = DispatcherTests.dispatcher(fixture, jobs: jobs, prefetch: 2)
            try await Self.deferHead(fixture, dispatcher)
            fixture.broker.declare(fixture.orgQueue)
            let expired = Array(#"""
                {"id":"a3","tenantId":"acme","org":"main","type":"text","textBody":"a3","sender":{"id":"A","idType":"Phone"},"createdAt":"2026-11-30T10:00:00Z","expiresAt":"2026-11-30T10:00:01Z"}
                """#.utf8)
            fixture.broker.enqueue(expired, messageID: "a3", queue: fixture.orgQueue)
            await dispatcher.submit(try #require(fixture.broker.take(from: fixture.orgQueue)), org: PipelineFixture.org)

            #expect(await fixture.settle { await dispatcher.pending == 0 })
            #expect(fixture.broker.messages(in: Self.tier(fixture)).map(\.messageID) == ["a1", "a2"], "a3 went round the tier again")
            let dead = fixture.broker.messages(in: fixture.broker.topology.deadLetterQueue)
            #expect(dead.map(\.messageID) == ["a3"])
            #expect(dead.first?.headers[QueueHeaders.reason]?.stringValue == MessageProcessor.expiredReason)
            #expect(fixture.sentTexts == ["a1"])
        }
    }
}
