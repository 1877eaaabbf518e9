import Testing
@testable import GatewayCore
@testable import AMQPTransport
@testable import Broker

@Suite struct QueueTopologyTests {
    @Test func orgQueuesAreNamedUnderThePrefixAndReadBack() {
        let topology = QueueTopology(prefix: "ggw")
        let org = OrgKey(tenantID: "acme-co", orgName: "us_east")
        #expect(topology.orgQueue(for: org) == "ggw.org.acme-co.us_east")
        #expect(topology.org(ofQueue: "ggw.org.acme-co.us_east") == org)
    }

    @Test func queuesThatAreNoOrgsQueueAreNotTakenForOne() {
        let topology = QueueTopology(prefix: "ggw")
        for queue in ["ggw.outbound", "ggw.org.", "ggw.org.acme", "ggw.org.acme.", "ggw.org..us", "ggw.org.a.b.c", "other.org.a.b"] {
            #expect(topology.org(ofQueue: queue) == nil, "\(queue)")
        }
    }

    @Test func orgQueuesHaveOneActiveConsumerAndDeadLetterLikeTheIngressQueue() {
        let quorum = QueueTopology(prefix: "ggw").orgQueueDeclaration(for: OrgKey(tenantID: "a", orgName: "b"))
        #expect(quorum.arguments.contains(AMQPArgument("x-single-active-consumer", .bool(true))))
        #expect(quorum.arguments.contains(AMQPArgument("x-queue-type", .string("quorum"))))
        #expect(quorum.arguments.contains(AMQPArgument("x-dead-letter-exchange", .string("ggw.outbound.dlx"))))
        #expect(quorum.arguments.contains(AMQPArgument("x-delivery-limit", .int(20))))

        var classicTopology = QueueTopology(prefix: "ggw")
        classicTopology.orgQueueType = .classic
        let classic = classicTopology.orgQueueDeclaration(for: OrgKey(tenantID: "a", orgName: "b"))
        #expect(!classic.arguments.contains { $0.key == "x-delivery-limit" })
    }

    @Test func quorumRetryTiersDeadLetterAtLeastOnce() {
        let topology = QueueTopology(prefix: "ggw")
        #expect(topology.retryQueue(for: .seconds(5)) == "ggw.retry.5s")
        #expect(topology.retryQueue(for: .seconds(120)) == "ggw.retry.2m")
        let arguments = Dictionary(uniqueKeysWithValues: topology.retryQueueArguments(for: .seconds(5)).map { ($0.0, $0.1) })
        #expect(arguments["x-dead-letter-strategy"] == .string("at-least-once"))
        #expect(arguments["x-overflow"] == .string("reject-publish"))
        #expect(arguments["x-message-ttl"] == .int(5000))
        #expect(arguments["x-dead-letter-routing-key"] == .string("ggw.outbound"))
    }
}
