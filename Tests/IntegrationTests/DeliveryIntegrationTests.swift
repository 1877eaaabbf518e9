import Foundation
import GatewayTestSupport
import GenesysSandbox
import GatewayDelivery
import PluginKit
import Testing

/// Integration: the delivery core against the real sandbox over loopback — tokens, 401, 429, 404, 400.
@Suite(.timeLimit(.minutes(2))) struct DeliveryIntegrationTests {
    static let acme = TestOrg(tenant: "acme", name: "us")

    @Test func aTextMessageArrivesOnceWithGenesysIds() async throws {
        try await GatewayHarness.run(orgs: [Self.acme]) { gateway in
            let outcome = await gateway.delivery.deliver(DeliveryRequest(bytes: GatewayHarness.textMessage(id: "m-1", org: Self.acme)))
            guard case .delivered(let receipt) = outcome else {
                Issue.record("not delivered: \(outcome)")
                return
            }
            let received = gateway.sandbox.control.received(integrationId: Self.acme.integrationID)
            #expect(received.count == 1)
            #expect(received.first?.channelMessageId == "m-1")
            #expect(received.first?.text == "hello")
            #expect(receipt.genesysMessageID == received.first?.id)
            #expect(receipt.conversationID != nil)
            #expect(receipt.conversationID == received.first?.conversationId)
            #expect(await gateway.delivery.sent.receipt(for: "m-1", tenantID: "acme") == receipt)
        }
    }

    @Test func twoHundredConcurrentSendsShareOneTokenAndRenewOncePerExpiry() async throws {
        try await GatewayHarness.run(orgs: [Self.acme], tokenLifetimeSeconds: 3) { gateway in
            func wave(_ wave: Int) async -> Int {
                await withTaskGroup(of: Bool.self) { group in
                    for index in 0..<200 {
                        group.addTask {
                            let bytes = GatewayHarness.textMessage(id: "w\(wave)-\(index)", org: Self.acme, customer: "c\(index)")
                            if case .delivered = await gateway.deliverUntilSettled(bytes) { return true }
                            return false
                        }
                    }
                    return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
            }
            #expect(await wave(1) == 200)
            #expect(gateway.http.tokenRequests == 1)
            try await Task.sleep(for: .seconds(3.2))  // the token has expired
            #expect(await wave(2) == 200)
            #expect(gateway.http.tokenRequests == 2)
            #expect(gateway.sandbox.control.stats().statusCounts["401", default: 0] == 0)
            #expect(Set(gateway.sandbox.control.received().compactMap(\.channelMessageId)).count == 400)
        }
    }

    @Test func aRevokedTokenIsRenewedOnceAndTheMessageDelivered() async throws {
        try await GatewayHarness.run(orgs: [Self.acme]) { gateway in
            let first = await gateway.delivery.deliver(DeliveryRequest(bytes: GatewayHarness.textMessage(id: "before", org: Self.acme)))
            #expect(first.isDelivered)
            #expect(gateway.sandbox.control.revokeTokens(clientId: Self.acme.clientID) == 1)
            let outcome = await gateway.delivery.deliver(DeliveryRequest(bytes: GatewayHarness.textMessage(id: "after", org: Self.acme)))
            #expect(outcome.isDelivered)  // within the same attempt: 401, renew, resend
            #expect(gateway.http.tokenRequests == 2)
            #expect(gateway.sandbox.control.stats().statusCounts["401"] == 1)
            #expect(gateway.sandbox.control.received().compactMap(\.channelMessageId) == ["before", "after"])
        }
    }

    @Test func a429BurstWaitsForRetryAfterAndLosesNothing() async throws {
        try await GatewayHarness.run(orgs: [Self.acme]) { gateway in
            try gateway.sandbox.control.setFaults(
                FaultSettings(burst429Count: 5, burst429RetryAfterSeconds: 2), for: .integration(Self.acme.integrationID))
            let started = ContinuousClock.now
            let delivered = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        let outcome = await gateway.deliverUntilSettled(GatewayHarness.textMessage(id: "m\(index)", org: Self.acme))
                        if !outcome.isDelivered { Issue.record("m\(index): \(outcome)") }
                        return outcome.isDelivered
                    }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(delivered == 20)
            #expect(ContinuousClock.now - started >= .seconds(2))
            #expect(gateway.sandbox.control.stats().statusCounts["429", default: 0] >= 1)
            let ids = gateway.sandbox.control.received().compactMap(\.channelMessageId)
            #expect(ids.count == 20 && Set(ids).count == 20)
            let limiter = try #require(gateway.registry.tenant("acme")?.org(named: "us")).limiter
            #expect(await limiter.snapshot().throttledCount >= 1)
        }
    }

    @Test func anUnknownIntegrationIsDeadLetteredWithGenesysNotFound() async throws {
        var unknown = TestOrg(tenant: "globex", name: "main")
        unknown.integrationExists = false
        let missing = unknown
        try await GatewayHarness.run(orgs: [Self.acme, missing]) { gateway in
            let outcome = await gateway.delivery.deliver(DeliveryRequest(bytes: GatewayHarness.textMessage(id: "x", org: missing)))
            guard case .deadLetter(let reason, let error) = outcome else {
                Issue.record("expected a dead-letter, got \(outcome)")
                return
            }
            #expect(error?.status == 404)
            #expect(error?.code == "not.found")
            #expect(error?.correlationID != nil)
            #expect(error?.org == missing.key)
            #expect(reason.hasPrefix("HTTP 404 not.found"))
        }
    }

    @Test func aBodyGenesysRefusesIsDeadLetteredWithItsCodeAndField() async throws {
        try await GatewayHarness.run(orgs: [Self.acme]) { gateway in
            // The plugin checks dates as Genesys does, so the bad date goes into the request it built: month 13 is
            // no date, and the sandbox's schema check refuses it.
            let bytes = GatewayHarness.textMessage(id: "bad-date", org: Self.acme, createdAt: "2026-11-25T10:00:00Z")
            let org = try #require(gateway.registry.tenant(Self.acme.tenant)?.org(named: Self.acme.name))
            let built = try org.senders["text"].map { try $0.buildRequest(message: bytes, context: org.context).get() }
            var request = DeliveryRequest(bytes: bytes)
            request.prebuilt = try #require(built).withBody { body in
                Array(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "2026-11-25T10:00:00Z", with: "2026-13-45T10:00:00Z").utf8)
            }
            let outcome = await gateway.delivery.deliver(request)
            guard case .deadLetter(_, let error) = outcome else {
                Issue.record("expected a dead-letter, got \(outcome)")
                return
            }
            #expect(error?.status == 400)
            #expect(error?.code != nil)
            #expect(error?.fields.contains("channel.time") == true, "\(String(describing: error))")
        }
    }

    @Test func invalidMessagesAndUnknownRoutesAreDeadLetteredWithoutCallingGenesys() async throws {
        try await GatewayHarness.run(orgs: [Self.acme]) { gateway in
            let cases: [(String, String)] = [
                ("not json", "invalid message: message is not valid JSON"),
                (#"{"id":"1","tenantId":"nobody","type":"text"}"#, "unknown tenant 'nobody'"),
                (#"{"id":"1","tenantId":"acme","org":"mars","type":"text"}"#, "tenant 'acme' has no org 'mars'"),
                (#"{"id":"1","tenantId":"acme","type":"fax"}"#, "unknown message type 'fax'"),
                (#"{"id":"1","tenantId":"acme","type":"text","textBody":"hi"}"#, "invalid message: sender: required field 'sender' is missing"),
            ]
            for (body, reason) in cases {
                let outcome = await gateway.delivery.deliver(DeliveryRequest(bytes: Array(body.utf8)))
                guard case .deadLetter(let actual, nil) = outcome else {
                    Issue.record("\(body): expected a dead-letter, got \(outcome)")
                    continue
                }
                #expect(actual.hasPrefix(reason), "\(actual)")
            }
            #expect(gateway.http.tokenRequests == 0)
            #expect(gateway.sandbox.control.received().isEmpty)
        }
    }
}

extension DeliveryOutcome {
    var isDelivered: Bool {
        if case .delivered = self { return true }
        return false
    }
}

extension PluginRequest {
    /// The same request with its body changed.
    func withBody(_ change: ([UInt8]) -> [UInt8]) -> PluginRequest {
        PluginRequest(method: method, path: path, body: change(body))
    }
}
