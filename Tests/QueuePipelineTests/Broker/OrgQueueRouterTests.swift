import BrokerTesting
import GatewayTestSupport
import Testing
@testable import Broker
@testable import GatewayCore
@testable import QueuePipeline

/// The router on the in-memory broker: a message's copy goes to its org's queue and the original is acked only once
/// the broker confirmed the copy; a refused copy sends the original back to the ingress queue after a pause.
@Suite(.timeLimit(.minutes(2))) struct OrgQueueRouterTests {
    static func router(_ fixture: PipelineFixture, jobs: MessageJobs = MessageJobs()) -> OrgQueueRouter {
        let subscriptions = OrgQueueSubscriptions(
            client: fixture.broker, registry: fixture.registry, topology: fixture.broker.topology, perOrgInFlight: 16,
            window: .milliseconds(500), clock: fixture.clock, logger: fixture.logger)
        return OrgQueueRouter(
            client: fixture.broker, registry: fixture.registry, topology: fixture.broker.topology, subscriptions: subscriptions,
            jobs: jobs, clock: fixture.clock, logger: fixture.logger)
    }

    @Test func aMessageIsCopiedToItsOrgsQueueAndAckedOnlyOnceTheCopyIsConfirmed() async throws {
        let fixture = try PipelineFixture()
        let router = Self.router(fixture)
        let outbound = fixture.broker.topology.outbound
        fixture.broker.enqueue(PipelineFixture.message("m-1", customer: "A"), messageID: "m-1", headers: [("x-custom", .string("kept"))])
        let delivery = try #require(fixture.broker.take(from: outbound))

        guard case .org(let org) = router.route(delivery.delivery) else {
            Issue.record("not routed to an org")
            return
        }
        #expect(org == PipelineFixture.org)
        router.forward(delivery, to: org)
        #expect(fixture.broker.events.suffix(2) == [
            .published(queue: fixture.orgQueue, messageID: "m-1"), .acked(queue: outbound, messageID: "m-1"),
        ])
        let copy = try #require(fixture.broker.published.last)
        #expect(copy.routingKey == fixture.orgQueue && copy.mandatory, "a copy that reaches no queue must fail")
        #expect(copy.body == PipelineFixture.message("m-1", customer: "A"))
        #expect(copy.headers.contains { $0.0 == "x-custom" && $0.1 == .string("kept") })
        #expect(fixture.broker.subscribedQueues == [fixture.orgQueue], "the org queue is consumed from its first message on")
    }

    @Test func aCopyTheBrokerRefusesLeavesTheOriginalUnackedThenRequeuesItAfterAPause() async throws {
        let fixture = try PipelineFixture()
        try await fixture.withJobs { jobs in
            let router = Self.router(fixture, jobs: jobs)
            let outbound = fixture.broker.topology.outbound
            fixture.broker.enqueue(PipelineFixture.message("m-1", customer: "A"), messageID: "m-1")
            let delivery = try #require(fixture.broker.take(from: outbound))
            fixture.broker.refusePublishes(to: fixture.orgQueue)

            router.forward(delivery, to: PipelineFixture.org)
            await fixture.clock.waitForSleepers(1)
            #expect(fixture.broker.unackedCount(in: outbound) == 1, "the original was settled before the pause")
            fixture.clock.advance(by: OrgQueueRouter.requeuePause)
            #expect(await fixture.settle { fixture.broker.events.last == .requeued(queue: outbound, messageID: "m-1") })
            #expect(fixture.acked(in: outbound).isEmpty)
            #expect(fixture.broker.messages(in: outbound).map(\.messageID) == ["m-1"])
        }
    }

    @Test func aMessageOfNoConfiguredOrgIsSettledHere() throws {
        let fixture = try PipelineFixture()
        let router = Self.router(fixture)
        for body in [
            #"{"id":"m-1","tenantId":"nobody","org":"main","type":"text"}"#, #"{"id":"m-2","tenantId":"acme","org":"elsewhere","type":"text"}"#,
            "not json",
        ] {
            fixture.broker.enqueue(Array(body.utf8))
            let delivery = try #require(fixture.broker.take(from: fixture.broker.topology.outbound))
            guard case .settleHere = router.route(delivery.delivery) else {
                Issue.record("\(body) was routed to an org")
                continue
            }
        }
    }
}
