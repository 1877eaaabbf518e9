import GatewayTestSupport
import Broker
import Crypto
import Foundation
import Testing
@testable import HTTPAPI

/// `POST /webhooks/genesys/{tenant}/{org}` through the router: a signed agent message is published once to
/// `genesys.inbound`, a replayed retry is not, a bad or missing signature or a URL naming no org publishes nothing.
/// In process (moved from `APIOperationsIntegrationTests/webhook`) on the in-memory broker, which records what goes
/// to the inbound exchange; the handler's decisions are in `WebhookHandlerTests`, and the sandbox's own signed
/// webhook through RabbitMQ stays end to end (`APIOperationsIntegrationTests/webhookFromSandbox`).
@Suite(.timeLimit(.minutes(1))) struct WebhookRoutesTests {
    static func signature(_ body: String, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + Data(mac).base64EncodedString()
    }

    static func agentMessage(id: String, to customer: String = "+15550009") -> String {
        #"{"id":"\#(id)","channel":{"platform":"Open","type":"Private","to":{"id":"\#(customer)"},"from":{"id":"integration","idType":"Opaque","nickname":"Agent"},"time":"2026-11-25T10:00:00.000Z"},"type":"Text","text":"How can I help?","direction":"Outbound","conversationId":"conv-1"}"#
    }

    @Test("webhook: a signed agent message is published once, a replayed retry is not, bad or missing signatures publish nothing")
    func webhook() async throws {
        let fixture = try RouteFixture()
        try await fixture.run { api in
            let path = "/webhooks/genesys/alpha/one"
            let body = Self.agentMessage(id: "agent-msg-1")
            let good = [("X-Hub-Signature-256", Self.signature(body, secret: TestOrg.alphaOne.webhookSecret))]

            let first = try await api.call("POST", path, json: body, headers: good)
            #expect(first.status == 200)
            #expect(first.object["status"] as? String == "accepted")
            let retry = try await api.call("POST", path, json: body, headers: good)
            #expect(retry.status == 200)
            #expect(retry.object["status"] as? String == "duplicate")
            let wrongSecret = [("X-Hub-Signature-256", Self.signature(body, secret: TestOrg.beta.webhookSecret))]
            let forged = try await api.call("POST", path, json: Self.agentMessage(id: "agent-msg-2"), headers: wrongSecret)
            #expect(forged.status == 401)
            #expect(forged.error["code"] as? String == "bad_signature")
            #expect(try await api.call("POST", path, json: Self.agentMessage(id: "agent-msg-3")).status == 401)
            // Signed for alpha/one, posted as beta: beta's secret does not match.
            #expect(try await api.call("POST", "/webhooks/genesys/beta/main", json: body, headers: good).status == 401)
            let unknown = try await api.call("POST", "/webhooks/genesys/alpha/mars", json: body, headers: good)
            #expect(unknown.status == 401)
            #expect(unknown.error["code"] as? String == "bad_signature")
            #expect(unknown.error["org"] is NSNull)
        }
        // The webhook answers only once the broker has confirmed: what was published is all there is.
        let published = fixture.broker.published.filter { $0.exchange == fixture.broker.topology.inboundExchange }
        #expect(published.count == 1)
        let message = try #require(published.first.flatMap { try JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any] })
        #expect(message["genesysMessageId"] as? String == "agent-msg-1")
        #expect(message["tenantId"] as? String == "alpha")
        #expect(published.first?.routingKey.hasPrefix("alpha.one.") == true)
    }
}
