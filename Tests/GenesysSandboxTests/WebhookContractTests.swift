//
// WebhookContractTests.swift — GenesysSandboxTests
// Agent → customer: the sandbox POSTs normalized Outbound messages to a real webhook, signed, with retries.
//

import Crypto
import Foundation
import Testing

@testable import GenesysSandbox

@Suite("Agent messages to the webhook")
struct WebhookContractTests {
    /// Verifies `X-Hub-Signature-256` independently of the sandbox's own code.
    static func signatureIsValid(_ received: WebhookReceiver.Received, secret: String) -> Bool {
        guard let header = received.signature, header.hasPrefix("sha256="),
            let mac = Data(base64Encoded: String(header.dropFirst(7)))
        else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(received.body), using: SymmetricKey(data: Data(secret.utf8)))
    }

    @Test func agentMessageIsDeliveredSignedAndNormalized() async throws {
        let receiver = WebhookReceiver()
        try await receiver.withRunning { url in
            try await Fixtures.withSandbox(Fixtures.configuration(webhookURL: url)) { api in
                let token = try await api.token()
                let conversationId = try await ConversationContractTests.openConversation(api, token: token, customer: "cust-42")
                let response = try await api.post(
                    "/sandbox/agent-messages?wait=true", token: nil,
                    json: ["conversationId": .string(conversationId), "text": "Hi, how can I help?"])
                #expect(response.status == 200)
                #expect(response.json["delivery"]?["delivered"] == true)
                let received = try #require(receiver.received.first)
                #expect(Self.signatureIsValid(received, secret: Fixtures.webhookSecret))
                #expect(!Self.signatureIsValid(received, secret: "another-secret-value"))
                let payload = try JSONValue.parse(received.body)
                #expect(payload["direction"] == "Outbound")
                #expect(payload["type"] == "Text")
                #expect(payload["text"] == "Hi, how can I help?")
                #expect(payload["channel"]?["to"]?["id"] == "cust-42")
                #expect(payload["id"] == response.json["id"])
                #expect(Fixtures.responseIssues(payload, model: "OpenNormalizedMessage").isEmpty)
            }
        }
    }

    @Test func retriesOn5xxAnd429ThenSucceeds() async throws {
        let receiver = WebhookReceiver(statuses: [503, 429])
        try await receiver.withRunning { url in
            try await Fixtures.withSandbox(Fixtures.configuration(webhookURL: url)) { api in
                let conversationId = try await ConversationContractTests.openConversation(api, token: try await api.token())
                let report = try #require(try await api.control.sendAgentMessage(conversationId: conversationId, text: "retry me"))
                #expect(report.attempts.map(\.statusCode) == [503, 429, 200])
                #expect(report.delivered)
                #expect(receiver.received.count == 3)
                #expect(Set(receiver.received.map(\.body)).count == 1)
            }
        }
    }

    @Test func givesUpAfterTheConfiguredRetriesAndNotOn4xx() async throws {
        let receiver = WebhookReceiver(statuses: [500, 500, 500, 400])
        try await receiver.withRunning { url in
            try await Fixtures.withSandbox(Fixtures.configuration(webhookURL: url)) { api in
                let conversationId = try await ConversationContractTests.openConversation(api, token: try await api.token())
                let exhausted = try #require(try await api.control.sendAgentMessage(conversationId: conversationId, text: "a"))
                #expect(exhausted.attempts.map(\.statusCode) == [500, 500, 500])
                #expect(!exhausted.delivered)
                let rejected = try #require(try await api.control.sendAgentMessage(conversationId: conversationId, text: "b"))
                #expect(rejected.attempts.map(\.statusCode) == [400])
                let listed = try await api.send(.GET, "/sandbox/deliveries")
                #expect(listed.json["deliveries"]?.arrayValue?.count == 2)
            }
        }
    }

    @Test func unreachableWebhookIsRetriedAsAConnectionError() async throws {
        let configuration = Fixtures.configuration(
            webhookURL: "http://127.0.0.1:9/hook", webhook: .init(retries: 1, retryIntervalMilliseconds: 10, timeoutMilliseconds: 500))
        try await Fixtures.withSandbox(configuration) { api in
            let conversationId = try await ConversationContractTests.openConversation(api, token: try await api.token())
            let report = try #require(try await api.control.sendAgentMessage(conversationId: conversationId, text: "x"))
            #expect(report.attempts.count == 2)
            #expect(report.attempts.allSatisfy { $0.statusCode == nil && $0.error != nil })
        }
    }

    @Test func genesysAgentMessageEndpointAlsoReachesTheWebhook() async throws {
        let receiver = WebhookReceiver()
        try await receiver.withRunning { url in
            try await Fixtures.withSandbox(Fixtures.configuration(webhookURL: url)) { api in
                let token = try await api.token()
                let conversationId = try await ConversationContractTests.openConversation(api, token: token)
                let response = try await api.post(
                    "/api/v2/conversations/messages/\(conversationId)/communications/any/messages", token: token,
                    json: ["textBody": "from the agent desktop"])
                #expect(response.status == 200)
                #expect(Fixtures.responseIssues(response.json, model: "MessageData").isEmpty)
                for _ in 0..<100 where receiver.received.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
                let payload = try JSONValue.parse(try #require(receiver.received.first).body)
                #expect(payload["text"] == "from the agent desktop")
            }
        }
    }
}
