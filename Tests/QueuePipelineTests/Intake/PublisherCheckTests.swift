import BrokerTesting
import GatewayTestSupport
import PluginKit
import Testing
@testable import Broker
@testable import GatewayCore
@testable import OrgServices
@testable import QueuePipeline

/// Issue 25: any client allowed to publish could send as any tenant. A tenant that names its `publishers` takes
/// messages only from those RabbitMQ users (the `user_id` RabbitMQ checks) and from the gateway's own copies; any
/// other is dead-lettered unsent, naming the publisher, on the router's path and on the direct path alike.
@Suite(.timeLimit(.minutes(2))) struct PublisherCheckTests {
    @Test(arguments: [("team-a", true), ("gateway", true), ("team-b", false), (nil, false)] as [(String?, Bool)])
    func theRouterForwardsOnlyWhatTheTenantsPublishersAndTheGatewayPublished(publisher: String?, forwarded: Bool) throws {
        let fixture = try PipelineFixture(publishers: ["team-a"])
        let router = OrgQueueRouterTests.router(fixture)
        fixture.broker.enqueue(PipelineFixture.message("m-1", customer: "A"), messageID: "m-1", publisher: publisher)
        let delivery = try #require(fixture.broker.take(from: fixture.broker.topology.outbound))
        #expect(delivery.delivery.userID == publisher)

        switch router.route(delivery.delivery) {
        case .org(let org): #expect(forwarded && org == PipelineFixture.org)
        case .settleHere: #expect(!forwarded, "a message of team-a's or the gateway's was not forwarded")
        }
    }

    /// Tenant `acme` (publishers: team-a) processes one message `publisher` put straight into its org queue.
    func processDirect(from publisher: String?) async throws -> PipelineFixture {
        let fixture = try PipelineFixture(publishers: ["team-a"])
        fixture.broker.declare(fixture.orgQueue)
        fixture.broker.enqueue(PipelineFixture.message("m-1", customer: "A"), messageID: "m-1", queue: fixture.orgQueue, publisher: publisher)
        let inbound = try #require(fixture.broker.take(from: fixture.orgQueue))
        let result = await fixture.processor().process(inbound, message: try QueuedMessage.decode(inbound.delivery.body).get(), sequence: 0)
        #expect(result == .finished)
        return fixture
    }

    @Test(arguments: ["team-b", nil] as [String?])
    func aMessageFromAnotherPublisherIsDeadLetteredUnsentNamingIt(publisher: String?) async throws {
        let fixture = try await processDirect(from: publisher)
        #expect(fixture.sentTexts.isEmpty, "sent for a publisher the tenant does not take")
        let reason = try #require(fixture.broker.messages(in: fixture.broker.topology.deadLetterQueue).first?.headers[QueueHeaders.reason]?.stringValue)
        if let publisher {
            #expect(reason == "publisher refused: RabbitMQ user '\(publisher)' is not one of tenant 'acme''s publishers")
        } else {
            #expect(reason == "publisher refused: the message has no user_id, and tenant 'acme' takes messages only from its publishers")
        }
        let event = try #require(await fixture.statuses.entry(for: "m-1", tenantID: "acme")?.latest)
        #expect(event.status == .deadLettered && event.publisherRefused == true)
    }

    @Test(arguments: ["team-a", "gateway"])
    func aMessageFromAPublisherOrTheGatewayIsSent(publisher: String) async throws {
        let fixture = try await processDirect(from: publisher)
        #expect(fixture.sentTexts == ["m-1"])
        #expect(fixture.broker.messages(in: fixture.broker.topology.deadLetterQueue).isEmpty)
    }

    @Test func aTenantWithoutPublishersTakesAnyPublisherAsBefore() throws {
        let fixture = try PipelineFixture()
        let router = OrgQueueRouterTests.router(fixture)
        for publisher in ["anyone", nil] as [String?] {
            fixture.broker.enqueue(PipelineFixture.message("m-1", customer: "A"), messageID: "m-1", publisher: publisher)
            let delivery = try #require(fixture.broker.take(from: fixture.broker.topology.outbound))
            guard case .org = router.route(delivery.delivery) else {
                Issue.record("\(publisher ?? "no user_id") was not forwarded")
                return
            }
        }
    }

    @Test func theGatewaysOwnCopiesCarryItsUser() async throws {
        let fixture = try PipelineFixture(publishers: ["team-a"])
        let router = OrgQueueRouterTests.router(fixture)
        fixture.broker.enqueue(PipelineFixture.message("m-1", customer: "A"), messageID: "m-1", publisher: "team-a")
        let delivery = try #require(fixture.broker.take(from: fixture.broker.topology.outbound))
        var handedOut = fixture.broker.deliveries.makeAsyncIterator()
        router.forward(delivery, to: PipelineFixture.org)
        let copy = try #require(await handedOut.next(), "the org queue's consumer got nothing")
        #expect(copy.queue == fixture.orgQueue)
        #expect(copy.delivery.userID == "gateway")
    }
}
