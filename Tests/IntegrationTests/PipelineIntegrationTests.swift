import Foundation
import GatewayTestSupport
import GenesysSandbox
@testable import AMQPTransport
@testable import OrgServices
@testable import QueuePipeline
import Testing
@testable import Broker
@testable import GatewayApp

/// End to end: publish to a real RabbitMQ, the gateway consumes and delivers to the real sandbox.
@Suite(.timeLimit(.minutes(3))) struct PipelineIntegrationTests {
    static let orgs = [
        TestOrg(tenant: "acme", name: "us"), TestOrg(tenant: "acme", name: "eu"),
        TestOrg(tenant: "globex", name: "main"), TestOrg(tenant: "initech", name: "main"),
    ]

    @Test func aThousandMessagesArriveExactlyOnceInOrderPerConversation() async throws {
        try await PipelineHarness.run("thousand", orgs: Self.orgs) { pipeline, _ in
            // 1,000 messages: 4 orgs × 25 customers × 10 messages each, interleaved as a platform would send them.
            var messages: [[UInt8]] = []
            for sequence in 0..<10 {
                for org in Self.orgs {
                    for customer in 0..<25 {
                        let id = "\(org.tenant)-\(org.name)-c\(customer)-\(sequence)"
                        messages.append(GatewayHarness.textMessage(id: id, org: org, customer: "cust-\(customer)", text: "\(sequence)"))
                    }
                }
            }
            try await pipeline.publish(messages)
            let arrived = await pipeline.eventually(timeout: .seconds(60)) { pipeline.sandbox.control.received().count >= 1000 }
            #expect(arrived)
            // Each message's `sent` event comes after its ack: once every message has one, none is in the gateway.
            // A copy still in a retry tier (a send taken for failed that Genesys took) comes back within the
            // longest tier, so the watch goes on that long after the last `sent` event, and then no copy may be
            // left in any queue that leads to Genesys.
            var events: [StatusEvent] = []
            let ids = Set(messages.compactMap(Isolation.messageID))
            let allSent = try await pipeline.eventually {
                events += try pipeline.probe.statusEvents(pipeline.statusCapture)
                return ids.isSubset(of: events.filter { $0.status == .sent }.compactMap(\.messageId))
            }
            #expect(allSent, "\(ids.subtracting(events.filter { $0.status == .sent }.compactMap(\.messageId)).count) of 1000 have no `sent` event")
            let longestTier = try #require(pipeline.topology.retryTiers.max())
            try await Task.sleep(for: longestTier + .seconds(1))
            events += try pipeline.probe.statusEvents(pipeline.statusCapture)
            let sentEvents = Dictionary(grouping: events.filter { $0.status == .sent }, by: { $0.messageId ?? "?" })
            let sentTwice = sentEvents.filter { $0.value.count != 1 }.keys.sorted()
            #expect(sentTwice.isEmpty, "more than one `sent` event: \(sentTwice.prefix(5))")
            let leftOver = try pipeline.probe.readyCounts(
                [pipeline.topology.outbound] + Self.orgs.map { pipeline.topology.orgQueue(for: $0.key) }
                    + pipeline.topology.retryTiers.map { pipeline.topology.retryQueue(for: $0) }
                    + [pipeline.topology.deadLetterQueue, pipeline.topology.parkedQueue]
            ).filter { $0.value != 0 }
            #expect(leftOver.isEmpty, "messages left in queues after every message was sent: \(leftOver)")
            let received = pipeline.sandbox.control.received()
            let receivedIDs = received.compactMap(\.channelMessageId)
            #expect(receivedIDs.count == 1000)
            #expect(Set(receivedIDs) == ids)
            for org in Self.orgs {
                let integration = received.filter { $0.integrationId == org.integrationID }
                for (customer, messages) in Dictionary(grouping: integration, by: \.customerId) {
                    let order = messages.sorted { $0.sequence < $1.sequence }.compactMap(\.text)
                    #expect(order == (0..<10).map(String.init), "\(org.tenant)/\(org.name) \(customer): \(order)")
                }
            }
        }
    }

    @Test func everyMessageGetsStatusEvents() async throws {
        try await PipelineHarness.run("status", orgs: [Self.orgs[0]]) { pipeline, _ in
            try await pipeline.publish((0..<20).map { GatewayHarness.textMessage(id: "s\($0)", org: Self.orgs[0], customer: "c\($0)") })
            #expect(await pipeline.eventually { pipeline.sandbox.control.received().count == 20 })
            var events: [StatusEvent] = []
            _ = try await pipeline.eventually {
                events += try pipeline.probe.statusEvents(pipeline.statusCapture)
                return events.filter { $0.status == .sent }.count >= 20
            }
            for index in 0..<20 {
                let mine = events.filter { $0.messageId == "s\(index)" }
                #expect(mine.map(\.status) == [.accepted, .sent], "s\(index): \(mine.map(\.status))")
                #expect(mine.last?.genesysMessageId != nil)
                #expect(mine.last?.conversationId != nil)
            }
        }
    }

    @Test func invalidAndNotFoundMessagesAreDeadLetteredWithTheirReason() async throws {
        var unknown = TestOrg(tenant: "globex", name: "main")
        unknown.integrationExists = false
        let missing = unknown
        try await PipelineHarness.run("dlq", orgs: [Self.orgs[0], missing]) { pipeline, _ in
            try await pipeline.publish([
                Array(#"{"id":"broken","tenantId":"acme","type":"text"#.utf8),
                Array(#"{"id":"no-text","tenantId":"acme","type":"text","sender":{"id":"a","idType":"Phone"},"createdAt":"2026-11-25T10:00:00Z"}"#.utf8),
                GatewayHarness.textMessage(id: "not-found", org: missing),
                GatewayHarness.textMessage(id: "fine", org: Self.orgs[0]),
            ])
            var dead: [AMQPDelivery] = []
            _ = try await pipeline.eventually {
                dead += try pipeline.probe.drain(pipeline.topology.deadLetterQueue)
                return dead.count >= 3
            }
            let reasons = Dictionary(uniqueKeysWithValues: dead.map { ($0.messageID ?? "?", $0.headers[QueueHeaders.reason]?.stringValue ?? "") })
            #expect(dead.count == 3)
            #expect(reasons["no-text"] == "invalid message: textBody: a text message needs a non-empty 'textBody'")
            #expect(reasons["not-found"]?.hasPrefix("HTTP 404 not.found") == true)
            let notFound = try #require(dead.first { $0.messageID == "not-found" })
            #expect(notFound.headers[QueueHeaders.genesysCode]?.stringValue == "not.found")
            #expect(notFound.headers[QueueHeaders.correlationID] != nil)
            #expect(dead.contains { ($0.headers[QueueHeaders.reason]?.stringValue ?? "").hasPrefix("invalid message: message is not valid JSON") })
            #expect(await pipeline.eventually { !pipeline.sandbox.control.received().isEmpty })
            #expect(pipeline.sandbox.control.received().compactMap(\.channelMessageId) == ["fine"])
        }
    }

    @Test func a5xxBurstIsRetriedAndDeliveredInOrder() async throws {
        let org = Self.orgs[0]
        try await PipelineHarness.run("retry", orgs: [org]) { pipeline, _ in
            try pipeline.sandbox.control.setFaults(FaultSettings(outageSeconds: 2), for: .integration(org.integrationID))
            try await pipeline.publish((0..<30).map { GatewayHarness.textMessage(id: "r\($0)", org: org, customer: "c\($0 % 5)", text: "\($0)") })
            #expect(await pipeline.eventually(timeout: .seconds(45)) { pipeline.sandbox.control.received().count >= 30 })
            let received = pipeline.sandbox.control.received()
            #expect(Set(received.compactMap(\.channelMessageId)).count == 30)
            #expect(received.count == 30)
            #expect(pipeline.sandbox.control.stats().statusCounts["503", default: 0] > 0)
            // Order per customer held across the retries.
            for (customer, messages) in Dictionary(grouping: received, by: \.customerId) {
                let order = messages.sorted { $0.sequence < $1.sequence }.compactMap { $0.text.flatMap(Int.init) }
                #expect(order == order.sorted(), "\(customer): \(order)")
            }
            #expect(try pipeline.probe.drain(pipeline.topology.deadLetterQueue).isEmpty)
        }
    }

    /// A failed message waits for its retry in the gateway with its conversation behind it, but only while
    /// that conversation holds at most half its org's slots: a conversation Genesys keeps refusing must not
    /// stall the org's others (and then its own messages still arrive in order).
    @Test func aConversationGenesysKeepsRefusingDoesNotStallTheOrgsOthers() async throws {
        let org = {
            var org = TestOrg(tenant: "hooli", name: "main")
            // Only this conversation fails: the breaker must not count it against the whole org here.
            org.breaker.minimumRequests = 10_000
            org.retry.maxAttempts = 100
            return org
        }()
        try await PipelineHarness.run("one-failing-conversation", orgs: [org]) { pipeline, _ in
            try pipeline.sandbox.control.setFaults(
                FaultSettings(failureStatuses: [503], failingCustomers: ["refused"]), for: .integration(org.integrationID))
            let refused = (0..<20).map { GatewayHarness.textMessage(id: "refused-\($0)", org: org, customer: "refused", text: "\($0)") }
            let fine = (0..<20).map { GatewayHarness.textMessage(id: "fine-\($0)", org: org, customer: "fine", text: "\($0)") }
            try await pipeline.publish(refused + fine)
            func arrived(from customer: String) -> [Int] {
                pipeline.sandbox.control.received().filter { $0.customerId == customer }.sorted { $0.sequence < $1.sequence }
                    .compactMap { $0.text.flatMap(Int.init) }
            }
            // The org's prefetch is 16: with all of "refused" held here, "fine" would wait behind it.
            #expect(await pipeline.eventually(timeout: .seconds(15)) { arrived(from: "fine").count == 20 })
            #expect(arrived(from: "refused").isEmpty)
            pipeline.sandbox.control.clearFaults()
            #expect(await pipeline.eventually(timeout: .seconds(60)) { arrived(from: "refused").count == 20 })
            #expect(arrived(from: "refused") == Array(0..<20))
            #expect(arrived(from: "fine") == Array(0..<20))
            #expect(try pipeline.probe.drain(pipeline.topology.deadLetterQueue).isEmpty)
        }
    }

    @Test func replayDLQMovesDeadLetteredMessagesBackForAnotherTry() async throws {
        var unknown = TestOrg(tenant: "globex", name: "main")
        unknown.integrationExists = false
        let org = unknown
        try await PipelineHarness.run("replay", orgs: [Self.orgs[0], org]) { pipeline, _ in
            try await pipeline.publish([GatewayHarness.textMessage(id: "later", org: Self.orgs[0])])
            try await pipeline.publish([Array(#"{"id":"x","tenantId":"globex","type":"text","textBody":"t"}"#.utf8)])
            #expect(await pipeline.eventually { pipeline.sandbox.control.received().count == 1 })
            try await Task.sleep(for: .milliseconds(500))
            let report = try QueueReplayer(url: pipeline.probe.url, topology: pipeline.topology)
                .replay(from: pipeline.topology.deadLetterQueue, tenant: "acme", limit: 10)
            #expect(report == QueueReplayer.Report(moved: 0, skipped: 1))
            let globex = try QueueReplayer(url: pipeline.probe.url, topology: pipeline.topology)
                .replay(from: pipeline.topology.deadLetterQueue, tenant: "globex", limit: 10)
            #expect(globex == QueueReplayer.Report(moved: 1, skipped: 0))
            // Still invalid, so it comes back to the dead-letter queue: the round trip is complete.
            var dead: [AMQPDelivery] = []
            _ = try await pipeline.eventually {
                dead += try pipeline.probe.drain(pipeline.topology.deadLetterQueue)
                return !dead.isEmpty
            }
            #expect(dead.map(\.messageID) == ["x"])
        }
    }

    @Test func aDisabledTenantsMessagesAreParkedAndReplayable() async throws {
        var disabled = TestOrg(tenant: "globex", name: "main")
        disabled.tenantEnabled = false
        let org = disabled
        try await PipelineHarness.run("parked", orgs: [Self.orgs[0], org]) { pipeline, _ in
            try await pipeline.publish([GatewayHarness.textMessage(id: "off", org: org), GatewayHarness.textMessage(id: "on", org: Self.orgs[0])])
            #expect(await pipeline.eventually { pipeline.sandbox.control.received().count == 1 })
            var events: [StatusEvent] = []
            _ = try await pipeline.eventually {
                events += try pipeline.probe.statusEvents(pipeline.statusCapture)
                return events.contains { $0.status == .parked }
            }
            #expect(events.first { $0.messageId == "off" && $0.status == .parked }?.reason == "tenant 'globex' is disabled")
            let report = try QueueReplayer(url: pipeline.probe.url, topology: pipeline.topology)
                .replay(from: pipeline.topology.parkedQueue, tenant: nil, limit: 10)
            #expect(report == QueueReplayer.Report(moved: 1, skipped: 0))
            #expect(pipeline.sandbox.control.received().compactMap(\.channelMessageId) == ["on"])
        }
    }
}
