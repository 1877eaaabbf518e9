//
// ButtonResponseContractTests.swift — GenesysSandboxTests
// `.../inbound/open/structured/response` as the buttonResponse plugin uses it: what the sandbox records, and
// the 400s that name the field of an answer that breaks OpenInboundStructuredResponseMessage.
//

import Foundation
import Testing

@testable import GenesysSandbox

@Suite("Open Messaging structured response (ButtonResponse)")
struct ButtonResponseContractTests {
    static let body: JSONValue = [
        "channel": ["messageId": "button-1", "from": ["id": "+15550100001", "idType": "Phone"], "time": "2026-11-25T10:06:00Z"],
        "buttonResponse": ["type": "DatePicker", "text": "Tuesday 1 December", "payload": "2026-12-01T09:00:00Z"],
        "originatingMessageId": "45c48cce2e2d7fbdea1afc51c7c6ad26",
    ]

    @Test func anAcceptedButtonResponseIsRecordedWithItsLabel() async throws {
        try await Fixtures.withSandbox { api in
            let response = try await api.post(
                api.inboundPath(Fixtures.acmeIntegration, "structured/response"), token: try await api.token(), json: Self.body)
            #expect(response.status == 200)
            #expect(response.json["content"]?.arrayValue?.first?["buttonResponse"]?["payload"] == "2026-12-01T09:00:00Z")
            let received = api.control.received()
            #expect(received.map(\.kind) == [.structuredResponse])
            #expect(received.first?.channelMessageId == "button-1")
            #expect(received.first?.customerId == "+15550100001")
            #expect(received.first?.text == "Tuesday 1 December")
            #expect(received.first?.id == response.json["id"]?.stringValue)
        }
    }

    @Test(arguments: [
        ("type", JSONValue.string("Link"), "buttonResponse.type"),
        ("text", JSONValue.null, "buttonResponse.text"),
        ("payload", JSONValue.int(7), "buttonResponse.payload"),
    ])
    func aBrokenButtonResponseGets400NamingTheField(key: String, value: JSONValue, field: String) async throws {
        guard case .object(var members) = Self.body, case .object(var button) = members["buttonResponse"] else {
            Issue.record("the fixture is not an object")
            return
        }
        button[key] = value
        members["buttonResponse"] = .object(button)
        try await Fixtures.withSandbox { api in
            let response = try await api.post(
                api.inboundPath(Fixtures.acmeIntegration, "structured/response"), token: try await api.token(),
                json: .object(members))
            #expect(response.status == 400)
            #expect(response.detailFields == [field])
            #expect(api.control.received().isEmpty)
        }
    }
}
