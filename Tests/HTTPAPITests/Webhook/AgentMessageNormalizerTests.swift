import Foundation
import Testing
@testable import GatewayCore
@testable import HTTPAPI

/// Genesys' webhook bodies (OpenMessageNormalizedMessage and friends) into the channel side's JSON.
@Suite struct AgentMessageNormalizerTests {
    let normalizer = AgentMessageNormalizer()
    let org = OrgKey(tenantID: "acme", orgName: "us")
    let receivedAt = Date(timeIntervalSince1970: 1_795_000_000)

    func normalize(_ body: String) throws(WebhookBodyError) -> InboundAgentMessage {
        try normalizer.normalize(Array(body.utf8), org: org, receivedAt: receivedAt)
    }

    @Test func aTextMessageKeepsIdsCustomerAgentAndTime() throws {
        let message = try normalize(WebhookFixtures.text)
        #expect(message == InboundAgentMessage(
            tenantId: "acme", org: "us", genesysMessageId: "a1b2c3d4", conversationId: "conv-1",
            integrationId: "acme-us-integration", kind: "text", genesysType: "Text", customerId: "+15550100001",
            customerIdType: nil, agent: .init(id: "acme-us-integration", nickname: "Sandbox Agent"),
            text: "Hello, how can I help?", time: "2026-11-25T10:00:00.000Z", receivedAt: "2026-11-18T11:06:40.000Z"))
    }

    @Test func attachmentsAreReadAndOtherContentPassesThroughAsGenesysSentIt() throws {
        let body = #"""
            {"id":"m2","channel":{"to":{"id":"cust-7","idType":"Opaque"},"time":"2026-11-25T10:00:00Z"},"type":"Structured",
             "text":"Pick one","direction":"Outbound","metadata":{"k":"v"},
             "content":[{"contentType":"Attachment","attachment":{"mediaType":"Image","url":"https://cdn.example.com/a.png","mime":"image/png","filename":"a.png","contentSizeBytes":2048}},
                        {"contentType":"QuickReply","quickReply":{"text":"Yes","payload":"yes","action":"Message"}}]}
            """#
        let message = try normalize(body)
        #expect(message.kind == "structured")
        #expect(message.customerIdType == "Opaque")
        #expect(message.agent == nil)
        #expect(message.metadata == ["k": "v"])
        #expect(message.attachments == [.init(
            mediaType: "Image", url: "https://cdn.example.com/a.png", mime: "image/png", filename: "a.png", contentSizeBytes: 2048)])
        #expect(message.content == [.object([
            "contentType": .string("QuickReply"),
            "quickReply": .object(["text": .string("Yes"), "payload": .string("yes"), "action": .string("Message")]),
        ])])
        // What goes out on the queue: pass-through values keep their JSON form (no 2048.0).
        let json = String(decoding: InboundPublisher.encode(message), as: UTF8.self)
        #expect(json.contains(#""contentSizeBytes":2048"#))
        #expect(json.contains(#""quickReply":{"action":"Message","payload":"yes","text":"Yes"}"#))
    }

    @Test func receiptsAndEventsGetTheirOwnKind() throws {
        let receipt = try normalize(WebhookFixtures.receipt)
        #expect(receipt.kind == "receipt")
        #expect(receipt.receipt == .init(status: "Delivered", isFinalReceipt: true))
        let event = try normalize(#"""
            {"id":"e1","channel":{"to":{"id":"c"},"time":"2026-11-25T10:00:00Z"},"type":"Event","direction":"Outbound",
             "events":[{"eventType":"Typing","typing":{"type":"On","duration":5000}}]}
            """#)
        #expect(event.kind == "event")
        #expect(event.events == [.object(["eventType": .string("Typing"), "typing": .object(["type": .string("On"), "duration": .number(5000)])])])
    }

    @Test(arguments: [
        ("{not json", "", "body is not valid JSON"),
        (#"{"channel":{"to":{"id":"c"},"time":"2026-11-25T10:00:00Z"},"type":"Text","text":"x"}"#, "id", "required field 'id' is missing"),
        (#"{"id":"","channel":{"to":{"id":"c"},"time":"2026-11-25T10:00:00Z"},"type":"Text","text":"x"}"#, "id", "'id' must not be empty"),
        (WebhookFixtures.noCustomer, "channel.to", "required field 'channel.to' is missing"),
        (#"{"id":"m","channel":{"to":{"id":""},"time":"2026-11-25T10:00:00Z"},"type":"Text","text":"x"}"#, "channel.to.id", "'channel.to.id' (the customer) must not be empty"),
        (#"{"id":"m","channel":{"to":{"id":"c"},"time":"yesterday"},"type":"Text","text":"x"}"#, "channel.time", "'channel.time' must be an ISO-8601 date-time"),
        (#"{"id":"m","channel":{"to":{"id":"c"},"time":"2026-11-25T10:00:00Z"},"text":"x"}"#, "type", "required field 'type' is missing"),
        (#"{"id":"m","channel":{"to":{"id":"c"},"time":"2026-11-25T10:00:00Z"},"type":"Te.xt","text":"x"}"#, "type", "'type' must be a word"),
        (#"{"id":"m","channel":{"to":{"id":"c"},"time":"2026-11-25T10:00:00Z"},"type":"Text","direction":"Inbound","text":"x"}"#, "direction", "the webhook takes Genesys' outbound messages"),
        (#"{"id":"m","channel":{"to":{"id":"c"},"time":"2026-11-25T10:00:00Z"},"type":"Text"}"#, "text", "a Text message needs 'text' or 'content'"),
        (#"{"id":"m","channel":{"to":{"id":"c"},"time":"2026-11-25T10:00:00Z"},"type":"Text","text":7}"#, "text", "'text' must be a string"),
        (#"{"id":"m","channel":{"to":{"id":"c"},"time":"2026-11-25T10:00:00Z"},"type":"Text","content":[{"contentType":"Attachment","attachment":{"mediaType":"Image"}}]}"#, "content[0].attachment.url", "required field 'content[0].attachment.url' is missing"),
        (#"{"id":"m","channel":{"to":{"id":"c"},"time":"2026-11-25T10:00:00Z"},"type":"Event","events":[]}"#, "events", "an Event message needs at least one entry"),
        (#"{"id":"m","channel":{"to":{"id":"c"},"time":"2026-11-25T10:00:00Z"},"type":"Receipt"}"#, "status", "a Receipt needs 'status'"),
    ])
    func malformedBodiesNameTheField(body: String, field: String, reason: String) {
        do {
            let message = try normalize(body)
            Issue.record("accepted \(body) as \(message)")
        } catch {
            #expect(error.field == field, "\(body)")
            #expect(error.reason.hasPrefix(reason), "got \(error.reason)")
        }
    }
}
