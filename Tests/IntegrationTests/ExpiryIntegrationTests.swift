import Foundation
import GatewayTestSupport
import GenesysSandbox
@testable import AMQPTransport
@testable import OrgServices
import PluginKit
import Testing
@testable import Broker

/// Issue 14 part 3, end to end on a real RabbitMQ and the real sandbox: a message that can no longer be useful
/// is reported `expired` and dead-lettered (or parked) — never sent late, neither after waiting for an open
/// circuit nor after retrying through a Genesys outage — while a message that does not expire still arrives.
@Suite(.timeLimit(.minutes(3))) struct ExpiryIntegrationTests {
    static func typingMessage(id: String, org: TestOrg, customer: String, createdAt: String) -> [UInt8] {
        Array(#"{"id":"\#(id)","tenantId":"\#(org.tenant)","org":"\#(org.name)","type":"typing","sender":{"id":"\#(customer)","idType":"Phone"},"createdAt":"\#(createdAt)"}"#.utf8)
    }

    static func textMessage(id: String, org: TestOrg, customer: String, createdAt: String, expiresAt: String) -> [UInt8] {
        Array(#"{"id":"\#(id)","tenantId":"\#(org.tenant)","org":"\#(org.name)","type":"text","textBody":"late","sender":{"id":"\#(customer)","idType":"Phone"},"createdAt":"\#(createdAt)","expiresAt":"\#(expiresAt)"}"#.utf8)
    }

    /// Collects status events until `condition` holds on all seen so far.
    static func events(
        _ pipeline: PipelineHarness, timeout: Duration = .seconds(30), until condition: ([StatusEvent]) -> Bool
    ) async throws -> [StatusEvent] {
        var events: [StatusEvent] = []
        _ = try await pipeline.eventually(timeout: timeout) {
            events += try pipeline.probe.statusEvents(pipeline.statusCapture)
            return condition(events)
        }
        return events
    }

    @Test func anAlreadyExpiredMessageIsDeadLetteredOrParkedAsExpiredAndNeverSent() async throws {
        var typingExpires = TestOrg(tenant: "acme", name: "us")
        typingExpires.expiry = .init(afterSeconds: [("typing", "5")])
        var parksExpired = TestOrg(tenant: "globex", name: "main")
        parksExpired.expiry = .init(expiredMessages: "park")
        let (us, globex) = (typingExpires, parksExpired)
        let old = "2026-11-25T10:00:00Z"
        try await PipelineHarness.run("expired", orgs: [us, globex]) { pipeline, gateway in
            try await pipeline.publish([
                Self.textMessage(id: "late-text", org: us, customer: "a", createdAt: old, expiresAt: "2026-11-25T10:00:30+01:00"),
                Self.typingMessage(id: "late-typing", org: us, customer: "b", createdAt: old),
                Self.textMessage(id: "late-globex", org: globex, customer: "c", createdAt: old, expiresAt: old),
                // A text message has no default expiry: however old, it is sent.
                GatewayHarness.textMessage(id: "old-but-wanted", org: us, customer: "d", createdAt: old),
            ])
            let events = try await Self.events(pipeline) { events in events.filter { $0.status == .expired }.count >= 3 }
            let expired = Dictionary(events.filter { $0.status == .expired }.map { ($0.messageId ?? "?", $0) }) { first, _ in first }
            #expect(Set(expired.keys) == ["late-text", "late-typing", "late-globex"])
            #expect(expired["late-text"]?.reason == "expired")
            #expect(expired["late-text"]?.expiresAt == "2026-11-25T09:00:30.000Z")
            #expect(expired["late-text"]?.messageType == "text")
            #expect(expired["late-typing"]?.expiresAt == "2026-11-25T10:00:05.000Z")
            #expect(expired["late-typing"]?.messageType == "typing")

            var dead: [AMQPDelivery] = []
            _ = try await pipeline.eventually {
                dead += try pipeline.probe.drain(pipeline.topology.deadLetterQueue)
                return dead.count >= 2
            }
            #expect(Set(dead.compactMap(\.messageID)) == ["late-text", "late-typing"])
            for copy in dead {
                #expect(copy.headers[QueueHeaders.reason]?.stringValue == "expired")
                #expect(copy.headers[QueueHeaders.expiresAt]?.stringValue != nil)
            }
            let parked = try pipeline.probe.drain(pipeline.topology.parkedQueue)
            #expect(parked.compactMap(\.messageID) == ["late-globex"])
            #expect(parked.first?.headers[QueueHeaders.reason]?.stringValue == "expired")

            #expect(await pipeline.eventually { !pipeline.sandbox.control.received().isEmpty })
            try await Task.sleep(for: .milliseconds(500))  // an expired message sent anyway would show up by now
            #expect(pipeline.sandbox.control.received().compactMap(\.channelMessageId) == ["old-but-wanted"])

            let metrics = try PrometheusExposition(parsing: await gateway.metrics.exposition())
            let family = "genesys_gateway_messages_expired_total"
            #expect(metrics.value(family, ["tenant": "acme", "org": "us", "type": "typing"]) == 1)
            #expect(metrics.value(family, ["tenant": "acme", "org": "us", "type": "text"]) == 1)
            #expect(metrics.value(family, ["tenant": "globex", "org": "main", "type": "text"]) == 1)
        }
    }

    /// The org's circuit is open for 8 s; the typing indicator lives 2 s. It must come out expired when its 2 s
    /// are up — not when the circuit lets it go — and the text behind it in the same conversation, which does
    /// not expire, is sent once the circuit allows.
    @Test func aTypingMessageExpiresWhileItsOrgsCircuitIsOpenAndTheTextBehindItIsStillSent() async throws {
        var org = TestOrg(tenant: "acme", name: "us")
        org.breaker = TenantYAML.Breaker(failureThresholdPercent: 50, windowSeconds: 60, minimumRequests: 20, openSeconds: 8, halfOpenProbes: 1)
        org.expiry = .init(afterSeconds: [("typing", "2")])
        let circuitOrg = org
        try await PipelineHarness.run("expiry-circuit", orgs: [circuitOrg]) { pipeline, gateway in
            let breaker = try #require(gateway.registry.tenant(circuitOrg.tenant)?.org(named: circuitOrg.name)?.breaker)
            await breaker.force(.open)
            let published = Date()
            let now = StatusEvent.format(published)
            try await pipeline.publish([
                Self.typingMessage(id: "typing-1", org: circuitOrg, customer: "cust", createdAt: now),
                GatewayHarness.textMessage(id: "text-1", org: circuitOrg, customer: "cust", createdAt: now),
            ])
            let events = try await Self.events(pipeline) { events in events.contains { $0.messageId == "text-1" && $0.status == .sent } }
            let expired = try #require(events.first { $0.messageId == "typing-1" && $0.status == .expired })
            let sent = try #require(events.first { $0.messageId == "text-1" && $0.status == .sent })
            let expiredAt = try #require(DateTimeText.date(expired.time))
            let sentAt = try #require(DateTimeText.date(sent.time))
            // Out at its expiry (2 s), well before the circuit's 8 s: the hold did not sleep past it.
            #expect(expiredAt.timeIntervalSince(published) < 5, "expired \(expiredAt.timeIntervalSince(published)) s after publishing")
            #expect(sentAt.timeIntervalSince(published) > 6, "the text went \(sentAt.timeIntervalSince(published)) s after publishing")
            #expect(!events.contains { $0.messageId == "typing-1" && $0.status == .sent })
            #expect(pipeline.sandbox.control.received().filter { $0.kind == .event }.isEmpty)
            #expect(pipeline.sandbox.control.received().compactMap(\.channelMessageId) == ["text-1"])
            let dead = try pipeline.probe.drain(pipeline.topology.deadLetterQueue)
            #expect(dead.compactMap(\.messageID) == ["typing-1"])
        }
    }

    /// Genesys fails every request for 6 s, answering 503 with a Retry-After to the end of the outage; the typing
    /// indicator lives 2 s. Its hold for that Retry-After must end at its expiry (not at the outage's end), and
    /// it must never reach Genesys; a text of another customer, which does not expire, is delivered after the outage.
    @Test func aTypingMessageExpiresDuringAGenesysOutageAndATextThatDoesNotExpireIsDelivered() async throws {
        let failingOrg = Self.orgWhoseBreakerStaysClosed(typingLivesSeconds: 2)
        try await PipelineHarness.run("expiry-outage", orgs: [failingOrg]) { pipeline, _ in
            try pipeline.sandbox.control.setFaults(FaultSettings(outageSeconds: 6), for: .integration(failingOrg.integrationID))
            let published = Date()
            try await pipeline.publish([
                Self.typingMessage(id: "typing-2", org: failingOrg, customer: "cust", createdAt: StatusEvent.format(published)),
                GatewayHarness.textMessage(id: "text-2", org: failingOrg, customer: "other", createdAt: StatusEvent.format(published)),
            ])
            let events = try await Self.events(pipeline, timeout: .seconds(45)) { events in
                events.contains { $0.messageId == "text-2" && $0.status == .sent }
            }
            // Its Retry-After reaches past its expiry: no next attempt is announced, it waits until its expiry only.
            #expect(events.filter { $0.messageId == "typing-2" }.map(\.status) == [.accepted, .expired])
            let expired = try #require(events.first { $0.messageId == "typing-2" && $0.status == .expired })
            let expiredAt = try #require(DateTimeText.date(expired.time))
            #expect(expiredAt.timeIntervalSince(published) < 5, "expired \(expiredAt.timeIntervalSince(published)) s after publishing")
            #expect(pipeline.sandbox.control.stats().statusCounts["503", default: 0] >= 2)
            try await Self.expectOnlyTheTextArrived("text-2", typing: "typing-2", pipeline)
        }
    }

    /// Genesys fails every request (503 without Retry-After) until the test stops it; the typing indicator lives
    /// 2 s and is retried with backoff meanwhile. It must come out expired after its retries, never sent; a text
    /// of another customer, which does not expire, is delivered once Genesys recovers.
    @Test func aTypingMessageExpiresWhileItsRetriesFailAndATextThatDoesNotExpireIsDelivered() async throws {
        let failingOrg = Self.orgWhoseBreakerStaysClosed(typingLivesSeconds: 2)
        try await PipelineHarness.run("expiry-retries", orgs: [failingOrg]) { pipeline, _ in
            try pipeline.sandbox.control.setFaults(
                FaultSettings(failureRate: 1, failureStatuses: [503]), for: .integration(failingOrg.integrationID))
            let published = Date()
            try await pipeline.publish([
                Self.typingMessage(id: "typing-3", org: failingOrg, customer: "cust", createdAt: StatusEvent.format(published)),
                GatewayHarness.textMessage(id: "text-3", org: failingOrg, customer: "other", createdAt: StatusEvent.format(published)),
            ])
            var events = try await Self.events(pipeline) { events in
                events.contains { $0.messageId == "typing-3" && $0.status == .expired }
            }
            pipeline.sandbox.control.clearFaults()
            events += try await Self.events(pipeline) { events in events.contains { $0.messageId == "text-3" && $0.status == .sent } }
            let typing = events.filter { $0.messageId == "typing-3" }.map(\.status)
            #expect(typing.filter { $0 == .retrying }.count >= 2, "typing: \(typing)")
            #expect(typing.last == .expired, "typing: \(typing)")
            let expired = try #require(events.first { $0.messageId == "typing-3" && $0.status == .expired })
            let expiredAt = try #require(DateTimeText.date(expired.time))
            #expect(expiredAt.timeIntervalSince(published) < 5, "expired \(expiredAt.timeIntervalSince(published)) s after publishing")
            try await Self.expectOnlyTheTextArrived("text-3", typing: "typing-3", pipeline)
        }
    }

    /// An org whose typing messages live `typingLivesSeconds`, retried quickly and often, whose breaker never opens:
    /// these tests are about retries and holds, not the circuit.
    static func orgWhoseBreakerStaysClosed(typingLivesSeconds: Int) -> TestOrg {
        var org = TestOrg(tenant: "acme", name: "us")
        org.breaker.minimumRequests = 10_000
        org.retry = TenantYAML.Retry(maxAttempts: 200, baseDelayMs: 100, maxDelayMs: 500, retryAfterCapSeconds: 10)
        org.expiry = .init(afterSeconds: [("typing", String(typingLivesSeconds))])
        return org
    }

    /// Genesys got the text and nothing of the typing message, which waits in the dead-letter queue as expired.
    static func expectOnlyTheTextArrived(_ text: String, typing: String, _ pipeline: PipelineHarness) async throws {
        try await Task.sleep(for: .milliseconds(500))  // a late typing indicator would show up by now
        #expect(pipeline.sandbox.control.received().filter { $0.kind == .event }.isEmpty)
        #expect(pipeline.sandbox.control.received().compactMap(\.channelMessageId) == [text])
        let dead = try pipeline.probe.drain(pipeline.topology.deadLetterQueue)
        #expect(dead.compactMap(\.messageID) == [typing])
        #expect(dead.first?.headers[QueueHeaders.reason]?.stringValue == "expired")
    }
}
