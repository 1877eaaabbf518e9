import Foundation
import GatewayTestSupport
import PluginKit
import Testing
@testable import PluginHost

/// The `buttonResponse` sender plugin, loaded from its built `.so` and called through the C ABI as the host calls it.
@Suite struct ButtonResponseSenderPluginTests {
    let registry: PluginRegistry
    let folder: TemporaryDirectory
    let context = OrgContext(tenantID: "acme", orgName: "us", integrationID: "int/1")

    init() {
        (registry, folder) = BuiltPlugins.shippedRegistry()
    }

    func build(_ message: String, settings: String = "{}") throws -> Result<PluginRequest, ValidationFailure> {
        try #require(registry.sender(for: "buttonResponse")).makeSender(settingsJSON: settings)
            .buildRequest(message: Array(message.utf8), context: context)
    }

    static let head = #""id":"b-1","tenantId":"acme","type":"buttonResponse","sender":{"id":"+15551234567","idType":"Phone","firstName":"Ada"},"createdAt":"2026-11-25T10:00:00.123Z""#
    static let answered = #""originatingMessageId":"45c48cce2e2d7fbdea1afc51c7c6ad26""#

    /// A message with the common fields, `answered` and the given `buttonResponse` object.
    static func message(button: String, extra: String = "") -> String {
        "{" + head + "," + answered + #","buttonResponse":"# + button + extra + "}"
    }

    @Test func aQuickReplyBecomesOpenInboundStructuredResponseMessage() throws {
        let request = try build(Self.message(button: #"{"type":"QuickReply","text":"Track my order","payload":"track-order"}"#)).get()
        #expect(request.method == "POST")
        #expect(request.path == "/api/v2/conversations/messages/int%2F1/inbound/open/structured/response")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? NSDictionary)
        let expected: NSDictionary = [
            "channel": ["messageId": "b-1", "from": ["id": "+15551234567", "idType": "Phone", "firstName": "Ada"], "time": "2026-11-25T10:00:00.123Z"],
            "buttonResponse": ["type": "QuickReply", "text": "Track my order", "payload": "track-order"],
            "originatingMessageId": "45c48cce2e2d7fbdea1afc51c7c6ad26",
        ]
        #expect(body == expected)
    }

    @Test func aDatePickerKeepsItsButtonIdAndTheBodyIsExactBytes() throws {
        let request = try build(Self.message(
            button: #"{"id":"slot-2","type":"DatePicker","text":"Tuesday 1 December","payload":"2026-12-01T09:00:00Z"}"#,
            extra: #","conversationId":"conv-9""#)).get()
        let expected = #"{"buttonResponse":{"id":"slot-2","payload":"2026-12-01T09:00:00Z","text":"Tuesday 1 December","type":"DatePicker"},"#
            + #""channel":{"from":{"firstName":"Ada","id":"+15551234567","idType":"Phone"},"messageId":"b-1","time":"2026-11-25T10:00:00.123Z"},"#
            + #""originatingMessageId":"45c48cce2e2d7fbdea1afc51c7c6ad26"}"#
        #expect(String(decoding: request.body, as: UTF8.self) == expected)
    }

    static let button = #"{"type":"Button","text":"Yes","payload":"yes"}"#

    @Test(arguments: [
        (#"{"id":"b","type":"buttonResponse","#, "", "message is not valid JSON"),
        ("{" + head + "," + answered + "}", "buttonResponse", "required field 'buttonResponse' is missing"),
        (message(button: #"{"type":"Link","text":"Yes","payload":"yes"}"#), "buttonResponse.type", "'buttonResponse.type' must be one of Button, QuickReply, DatePicker, got 'Link'"),
        (message(button: #"{"type":"quickReply","text":"Yes","payload":"yes"}"#), "buttonResponse.type", "'buttonResponse.type' must be one of Button, QuickReply, DatePicker, got 'quickReply'"),
        (message(button: #"{"text":"Yes","payload":"yes"}"#), "buttonResponse.type", "required field 'buttonResponse.type' is missing"),
        (message(button: #"{"type":"Button","payload":"yes"}"#), "buttonResponse.text", "required field 'buttonResponse.text' is missing"),
        (message(button: #"{"type":"Button","text":" \n","payload":"yes"}"#), "buttonResponse.text", "'buttonResponse.text' (the label the customer chose) must not be empty"),
        (message(button: #"{"type":"Button","text":"Yes"}"#), "buttonResponse.payload", "required field 'buttonResponse.payload' is missing"),
        (message(button: #"{"type":"Button","text":"Yes","payload":""}"#), "buttonResponse.payload", "'buttonResponse.payload' must not be empty"),
        (message(button: #"{"type":"Button","text":"Yes","payload":7}"#), "buttonResponse.payload", "'buttonResponse.payload' must be a string"),
        ("{" + head + #","buttonResponse":"# + button + "}", "originatingMessageId", "required field 'originatingMessageId' is missing"),
        ("{" + head + #","originatingMessageId":"","buttonResponse":"# + button + "}", "originatingMessageId", "'originatingMessageId' (Genesys' id of the agent message answered) must not be empty"),
        (#"{"id":"b","type":"buttonResponse","createdAt":"2026-11-25T10:00:00Z","# + answered + #","buttonResponse":"# + button + "}", "sender", "required field 'sender' is missing"),
        (#"{"id":"b","type":"buttonResponse","sender":{"id":"a","idType":"Opaque"},"createdAt":"now","# + answered + #","buttonResponse":"# + button + "}", "createdAt", "'createdAt' must be an ISO-8601 date-time like 2026-11-25T10:00:00Z, got 'now'"),
        (message(button: button, extra: #","textBody":"Yes""#), "textBody", "a buttonResponse carries no 'textBody'; the chosen label goes in 'buttonResponse.text'"),
        (message(button: button, extra: #","metadata":{"k":"v"}"#), "metadata", "a buttonResponse carries no 'metadata'"),
        (message(button: button, extra: #","content":[{"contentType":"Attachment"}]"#), "content", "a buttonResponse carries no attachments"),
    ])
    func invalidButtonResponsesNameTheField(message: String, field: String, reason: String) throws {
        guard case .failure(let failure) = try build(message) else {
            Issue.record("accepted \(message)")
            return
        }
        #expect(failure.field == field)
        #expect(failure.reason.hasPrefix(reason), "got \(failure.reason)")
    }

    @Test func overLongTextAndPayloadAreRefusedAtTheDefaultAndTheTenantsLimits() throws {
        let long = String(repeating: "é", count: 10_001)
        #expect(try build(Self.message(button: #"{"type":"Button","text":""# + long + #"","payload":"p"}"#))
            == .failure(ValidationFailure(field: "buttonResponse.text", reason: "'buttonResponse.text' has 10001 characters, more than 10000")))
        #expect(try build(Self.message(button: #"{"type":"Button","text":"t","payload":""# + long + #""}"#))
            == .failure(ValidationFailure(field: "buttonResponse.payload", reason: "'buttonResponse.payload' has 10001 characters, more than 10000")))
        let settings = #"{"maxTextLength":3,"maxPayloadLength":4}"#
        #expect(try build(Self.message(button: #"{"type":"Button","text":"Yes!","payload":"yes"}"#), settings: settings)
            == .failure(ValidationFailure(field: "buttonResponse.text", reason: "'buttonResponse.text' has 4 characters, more than 3")))
        #expect(try build(Self.message(button: #"{"type":"Button","text":"Yes","payload":"yes-1"}"#), settings: settings)
            == .failure(ValidationFailure(field: "buttonResponse.payload", reason: "'buttonResponse.payload' has 5 characters, more than 4")))
        #expect(throws: Never.self) { try build(Self.message(button: #"{"type":"Button","text":"Yes","payload":"yes!"}"#), settings: settings).get() }
    }

    @Test func theButtonResponsePluginRefusesSettingsItDoesNotTake() throws {
        let plugin = try #require(registry.sender(for: "buttonResponse"))
        #expect(plugin.name == "buttonResponse")
        #expect(plugin.messageTypes == ["buttonResponse"])
        #expect(throws: PluginInstanceError(
            plugin: "buttonResponse",
            message: "refused its settings: retries: unknown setting 'retries' (known: maxTextLength, maxPayloadLength)")) {
            try plugin.makeSender(settingsJSON: #"{"retries":3}"#)
        }
        #expect(throws: PluginInstanceError(
            plugin: "buttonResponse", message: "refused its settings: maxPayloadLength: maxPayloadLength must be greater than 0")) {
            try plugin.makeSender(settingsJSON: #"{"maxPayloadLength":0}"#)
        }
    }
}
