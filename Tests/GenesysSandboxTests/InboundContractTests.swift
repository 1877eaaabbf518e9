//
// InboundContractTests.swift — GenesysSandboxTests
// The four Open Messaging inbound endpoints over real HTTP: happy paths (responses checked against
// their models) and 400s with field details.
//

import Foundation
import Testing

@testable import GenesysSandbox

@Suite("Open Messaging inbound")
struct InboundContractTests {
    @Test func messageIsAcceptedWithAFreshIdAndItsResponseModel() async throws {
        try await Fixtures.withSandbox { api in
            let token = try await api.token()
            let first = try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: Fixtures.message())
            let second = try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: Fixtures.message())
            #expect(first.status == 200)
            #expect(Fixtures.responseIssues(first.json, model: "OpenMessageNormalizedMessage").isEmpty)
            #expect(first.json["type"] == "Text")
            #expect(first.json["text"] == "hello")
            #expect(first.json["channel"]?["messageId"] == "provider-1")
            #expect(first.json["channel"]?["to"]?["id"] == .string(Fixtures.acmeIntegration))
            #expect(first.json["conversationId"] == nil)
            let ids = [first.json["id"]?.stringValue, second.json["id"]?.stringValue].compactMap { $0 }
            #expect(Set(ids).count == 2)
            #expect(ids.allSatisfy { $0.count == 32 })
        }
    }

    @Test func prefetchConversationIdKeepsOneConversationPerCustomer() async throws {
        try await Fixtures.withSandbox { api in
            let token = try await api.token()
            let path = api.inboundPath(Fixtures.acmeIntegration) + "?prefetchConversationId=true"
            let a1 = try await api.post(path, token: token, json: Fixtures.message(customer: "a"))
            let a2 = try await api.post(path, token: token, json: Fixtures.message(customer: "a"))
            let b = try await api.post(path, token: token, json: Fixtures.message(customer: "b"))
            let a = try #require(a1.json["conversationId"]?.stringValue)
            #expect(a2.json["conversationId"]?.stringValue == a)
            #expect(b.json["conversationId"]?.stringValue != a)
            let otherIntegration = try await api.post(
                api.inboundPath(Fixtures.acmeSecondIntegration) + "?prefetchConversationId=true", token: token,
                json: Fixtures.message(customer: "a"))
            #expect(otherIntegration.json["conversationId"]?.stringValue != a)
        }
    }

    @Test func attachmentOnlyMessageIsAccepted() async throws {
        try await Fixtures.withSandbox { api in
            let body = Fixtures.message { $0["text"] = nil; $0["content"] = [Fixtures.attachment()] }
            let response = try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: try await api.token(), json: body)
            #expect(response.status == 200)
            #expect(response.json["content"]?.arrayValue?.first?["contentType"] == "Attachment")
            #expect(Fixtures.responseIssues(response.json, model: "OpenMessageNormalizedMessage").isEmpty)
        }
    }

    @Test func invalidBodyGets400WithFieldDetails() async throws {
        try await Fixtures.withSandbox { api in
            let body = Fixtures.message {
                $0["channel"] = ["from": ["id": "c", "idType": "Pigeon"]]
            }
            let response = try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: try await api.token(), json: body)
            #expect(response.status == 400)
            #expect(response.json["code"] == "invalid.value")
            #expect(response.json["status"] == .int(400))
            #expect(response.detailFields == ["channel.time", "channel.from.idType"])
            #expect(response.json["contextId"]?.stringValue == response.header("ININ-Correlation-Id"))
            #expect(Fixtures.responseIssues(response.json, model: "ErrorBody").isEmpty)
        }
    }

    @Test func textOrContentIsRequiredAndOnlyOneAttachment() async throws {
        try await Fixtures.withSandbox { api in
            let token = try await api.token()
            let empty = try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: Fixtures.message(text: nil))
            #expect(empty.status == 400)
            #expect(empty.detailFields == ["text"])
            let two = Fixtures.message { $0["content"] = [Fixtures.attachment(), Fixtures.attachment("Video")] }
            let tooMany = try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: two)
            #expect(tooMany.status == 400)
            #expect(tooMany.detailFields == ["content"])
        }
    }

    @Test func malformedJSONAndWrongMediaType() async throws {
        try await Fixtures.withSandbox { api in
            let token = try await api.token()
            let path = api.inboundPath(Fixtures.acmeIntegration)
            let broken = try await api.send(.POST, path, token: token, body: #"{"channel": "#)
            #expect(broken.status == 400)
            #expect(broken.json["code"] == "bad.request")
            let form = try await api.send(.POST, path, token: token, body: "a=b", headers: [("Content-Type", "text/plain")])
            #expect(form.status == 415)
            #expect(form.json["code"] == "unsupported.media.type")
        }
    }

    @Test func oversizedBodyIs413() async throws {
        var configuration = Fixtures.configuration()
        configuration.maxBodyBytes = 512
        try await Fixtures.withSandbox(configuration) { api in
            let body = Fixtures.message(text: String(repeating: "x", count: 600))
            let response = try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: try await api.token(), json: body)
            #expect(response.status == 413)
            #expect(response.json["code"] == "request.entity.too.large")
        }
    }

    @Test func typingEventIsAccepted() async throws {
        try await Fixtures.withSandbox { api in
            let body: JSONValue = [
                "channel": ["from": ["id": "c", "idType": "Opaque"], "time": "2026-01-02T03:04:05Z"],
                "events": [["eventType": "Typing", "typing": ["type": "On"]]],
            ]
            let response = try await api.post(api.inboundPath(Fixtures.acmeIntegration, "event"), token: try await api.token(), json: body)
            #expect(response.status == 200)
            #expect(response.json["type"] == "Event")
            #expect(Fixtures.responseIssues(response.json, model: "OpenEventNormalizedMessage").isEmpty)
            let bad = try await api.post(
                api.inboundPath(Fixtures.acmeIntegration, "event"), token: try await api.token(),
                json: ["channel": body["channel"]!, "events": [["eventType": "Shouting"]]])
            #expect(bad.detailFields == ["events[0].eventType"])
        }
    }

    @Test func receiptIsAcceptedAndReasonsOnlyWithFailed() async throws {
        try await Fixtures.withSandbox { api in
            let token = try await api.token()
            let channel: JSONValue = ["to": ["id": "c"], "time": "2026-01-02T03:04:05Z"]
            let delivered: JSONValue = ["id": "agent-msg-1", "channel": channel, "status": "Delivered", "isFinalReceipt": true]
            let response = try await api.post(api.inboundPath(Fixtures.acmeIntegration, "receipt"), token: token, json: delivered)
            #expect(response.status == 200)
            #expect(response.json["id"] == "agent-msg-1")
            #expect(response.json["status"] == "Delivered")
            #expect(Fixtures.responseIssues(response.json, model: "OpenReceiptNormalizedMessage").isEmpty)
            let mixed: JSONValue = [
                "id": "agent-msg-1", "channel": channel, "status": "Delivered",
                "reasons": [["code": "GeneralError", "message": "x"]],
            ]
            let rejected = try await api.post(api.inboundPath(Fixtures.acmeIntegration, "receipt"), token: token, json: mixed)
            #expect(rejected.status == 400)
            #expect(rejected.detailFields == ["reasons"])
        }
    }

    @Test func structuredResponseIsAccepted() async throws {
        try await Fixtures.withSandbox { api in
            let body: JSONValue = [
                "channel": ["from": ["id": "c", "idType": "Opaque"], "time": "2026-01-02T03:04:05Z"],
                "buttonResponse": ["type": "QuickReply", "text": "Yes", "payload": "yes"],
                "originatingMessageId": "agent-msg-1",
            ]
            let path = api.inboundPath(Fixtures.acmeIntegration, "structured/response")
            let response = try await api.post(path, token: try await api.token(), json: body)
            #expect(response.status == 200)
            #expect(response.json["type"] == "Structured")
            #expect(Fixtures.responseIssues(response.json, model: "OpenStructuredResponseNormalizedMessage").isEmpty)
            let missing = try await api.post(path, token: try await api.token(), json: ["channel": body["channel"]!])
            #expect(missing.detailFields == ["buttonResponse", "originatingMessageId"])
        }
    }
}
