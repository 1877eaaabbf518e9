import Foundation
import GatewayTestSupport
import GenesysSandbox
@testable import AMQPTransport
@testable import OrgServices
import Testing
@testable import Broker

/// A customer's tap on a quick reply, button or date picker end to end: queued on a real RabbitMQ or posted to
/// the HTTP API, built by the `buttonResponse` plugin, and accepted by the real sandbox as a structured response
/// (the sandbox checks the body against OpenInboundStructuredResponseMessage).
@Suite(.timeLimit(.minutes(2))) struct ButtonResponseIntegrationTests {
    static let org = TestOrg(tenant: "acme", name: "us", messageTypes: ["text", "receipt", "buttonResponse"])
    /// Same tenant, an org that has not switched the type on.
    static let textOnly = TestOrg(tenant: "acme", name: "eu", messageTypes: ["text", "receipt"])
    static let agentMessageID = "45c48cce2e2d7fbdea1afc51c7c6ad26"

    static func buttonResponse(id: String, org: String = "us", type: String = "QuickReply", text: String = "Track my order") -> String {
        #"{"id":"\#(id)","tenantId":"acme","org":"\#(org)","type":"buttonResponse","sender":{"id":"+15550100001","idType":"Phone"},"#
            + #""conversationId":"conv-9","buttonResponse":{"type":"\#(type)","text":"\#(text)","payload":"track-order"},"#
            + #""originatingMessageId":"\#(agentMessageID)","createdAt":"2026-11-25T10:06:00Z"}"#
    }

    @Test func queuedButtonResponsesReachGenesysAsStructuredResponses() async throws {
        try await PipelineHarness.run("button-response", orgs: [Self.org]) { pipeline, _ in
            try await pipeline.publish([
                Array(Self.buttonResponse(id: "br-quick").utf8),
                Array(Self.buttonResponse(id: "br-date", type: "DatePicker", text: "Tuesday 1 December").utf8),
                Array(Self.buttonResponse(id: "br-bad", type: "Carousel").utf8),
            ])
            #expect(await pipeline.eventually { pipeline.sandbox.control.received().count >= 2 })
            let received = pipeline.sandbox.control.received()
            #expect(received.map(\.kind) == [.structuredResponse, .structuredResponse])
            #expect(received.map(\.channelMessageId) == ["br-quick", "br-date"], "one conversation's answers keep their order")
            #expect(received.map(\.customerId) == ["+15550100001", "+15550100001"])
            #expect(received.map(\.text) == ["Track my order", "Tuesday 1 December"])

            var events: [StatusEvent] = []
            var dead: [AMQPDelivery] = []
            _ = try await pipeline.eventually {
                events += try pipeline.probe.statusEvents(pipeline.statusCapture)
                dead += try pipeline.probe.drain(pipeline.topology.deadLetterQueue)
                return events.filter { $0.status == .sent }.count >= 2 && !dead.isEmpty
            }
            for (id, record) in zip(["br-quick", "br-date"], received) {
                let mine = events.filter { $0.messageId == id }
                #expect(mine.map(\.status) == [.accepted, .sent], "\(id): \(mine.map(\.status))")
                #expect(mine.last?.genesysMessageId == record.id)
            }
            #expect(dead.map(\.messageID) == ["br-bad"])
            #expect(dead.first?.headers[QueueHeaders.reason]?.stringValue
                == "invalid message: buttonResponse.type: 'buttonResponse.type' must be one of Button, QuickReply, DatePicker, got 'Carousel'")
        }
    }

    @Test func aButtonResponsePostedToTheAPIIsSentNowOrRefusedNamingTheField() async throws {
        try await APIHarness.run("api-button-response", orgs: [Self.org, Self.textOnly]) { api in
            let sent = try await api.call("POST", "/v1/messages", key: Self.org.apiKey, json: Self.buttonResponse(id: "br-api"))
            #expect(sent.status == 200, "\(sent.text)")
            #expect(sent.object["status"] as? String == "sent")
            let received = api.sandbox.control.received(integrationId: Self.org.integrationID)
            #expect(received.map(\.kind) == [.structuredResponse])
            #expect(received.map(\.id) == [try #require(sent.object["genesysMessageId"] as? String)])
            #expect(received.first?.text == "Track my order")

            let empty = Self.buttonResponse(id: "br-empty").replacingOccurrences(of: #""payload":"track-order""#, with: #""payload":"""#)
            let refused = try await api.call("POST", "/v1/messages", key: Self.org.apiKey, json: empty)
            #expect(refused.status == 400)
            #expect(refused.error["code"] as? String == "invalid_message")
            #expect(refused.error["field"] as? String == "buttonResponse.payload")

            let notEnabled = try await api.call("POST", "/v1/messages", key: Self.org.apiKey, json: Self.buttonResponse(id: "br-eu", org: "eu"))
            #expect(notEnabled.status == 422)
            #expect(notEnabled.error["code"] as? String == "type_not_enabled")

            // An answer belongs to a conversation that exists; it cannot open one.
            let opening = try await api.call(
                "POST", "/v1/conversations", key: Self.org.apiKey,
                json: #"{"kind":"open","message":"# + Self.buttonResponse(id: "br-open") + "}")
            #expect(opening.status == 400)
            #expect(opening.error["field"] as? String == "message.type")
            #expect(api.sandbox.control.received(integrationId: Self.org.integrationID).count == 1)
        }
    }
}
