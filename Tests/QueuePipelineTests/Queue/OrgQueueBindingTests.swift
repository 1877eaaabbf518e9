import BrokerTesting
import GatewayTestSupport
import Testing
@testable import Broker
@testable import GatewayCore
@testable import QueuePipeline

/// The direct path's bindings as ``OrgQueueSubscriptions`` makes them: a consumed org queue is bound by
/// `<tenant>.<org>` (and `<tenant>`, for the default org), and an org removed from the config is unbound at once while
/// its queue is still consumed until empty.
@Suite struct OrgQueueBindingTests {
    static func subscriptions(_ fixture: PipelineFixture) -> OrgQueueSubscriptions {
        OrgQueueSubscriptions(
            client: fixture.broker, registry: fixture.registry, topology: fixture.broker.topology, perOrgInFlight: 16,
            window: .milliseconds(500), clock: fixture.clock, logger: fixture.logger)
    }

    /// Where the in-memory broker puts a message published to the org exchange with `key`.
    static func destination(of key: String, _ fixture: PipelineFixture) -> String? {
        fixture.broker.submit(AMQPMessage(exchange: fixture.broker.topology.orgExchange, routingKey: key, body: [1], messageID: key))
        return fixture.broker.events.compactMap { event -> String? in
            guard case .published(let queue, key) = event else { return nil }
            return queue
        }.last
    }

    @Test func aConsumedDefaultOrgIsBoundByTenantAndOrgAndByTenant() throws {
        let fixture = try PipelineFixture()
        Self.subscriptions(fixture).reconcile()
        #expect(Self.destination(of: "acme.main", fixture) == fixture.orgQueue)
        #expect(Self.destination(of: "acme", fixture) == fixture.orgQueue)
        #expect(Self.destination(of: "acme.other", fixture) == fixture.broker.topology.outbound)
    }

    @Test func aRemovedOrgIsUnboundAtOnceAndStillConsumed() throws {
        let fixture = try PipelineFixture()
        let subscriptions = Self.subscriptions(fixture)
        subscriptions.reconcile()
        _ = fixture.registry.apply([], keeping: [])
        subscriptions.reconcile()

        #expect(fixture.broker.subscribedQueues.contains(fixture.orgQueue), "its waiting messages must still be taken")
        #expect(Self.destination(of: "acme.main", fixture) == fixture.broker.topology.outbound)
        #expect(Self.destination(of: "acme", fixture) == fixture.broker.topology.outbound)
    }
}
