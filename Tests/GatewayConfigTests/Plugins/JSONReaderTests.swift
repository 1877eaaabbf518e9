import Foundation
import PluginKit
import Testing

/// ``JSONReader`` and the queued-message decoding built on it, held to what Foundation's `JSONDecoder` does.
@Suite struct JSONReaderTests {
    func read(_ text: String) throws -> JSONValue {
        try JSONReader.read(Array(text.utf8))
    }

    @Test func readsEveryKindOfValue() throws {
        let value = try read(#" {"a": [1, -2.5e3, true, false, null, "x\n\u00e9\ud83d\ude00\/"], "b": {}} "#)
        let expected = JSONValue.object(JSONObject(members: [
            .init(key: "a", value: .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null, .string("x\né😀/")])),
            .init(key: "b", value: .object(JSONObject())),
        ]))
        #expect(value == expected)
    }

    @Test func theFirstOfARepeatedKeyCounts() throws {
        guard case .object(let object) = try read(#"{"k":"first","k":"second"}"#) else { Issue.record("not an object"); return }
        #expect(object["k"] == .string("first"))
        let message = #"{"id":"m","type":"text","type":"media","metadata":{"k":"v","k":7}}"#
        #expect(try QueuedMessage.decode(Array(message.utf8)).get() == JSONDecoder().decode(QueuedMessage.self, from: Data(message.utf8)))
    }

    /// Found reviewing against Foundation's scanner: a number is checked only when decoded, and a UTF-8 byte
    /// order mark is skipped.
    @Test func numbersNobodyReadsAndAByteOrderMarkAreTakenAsJSONDecoderTakesThem() throws {
        for message in [#"{"id":"m","type":"text","x":01,"y":[1.,-,1e,1.2.3]}"#, "\u{FEFF}{\"id\":\"m\",\"type\":\"text\"}"] {
            #expect(try QueuedMessage.decode(Array(message.utf8)).get() == JSONDecoder().decode(QueuedMessage.self, from: Data(message.utf8)))
        }
        #expect(try read("1.2.3") == .number("1.2.3"))
    }

    @Test func aTrailingCommaIsTakenAsJSONDecoderTakesIt() throws {
        let message = #"{"id":"m","type":"text","content":[{"contentType":"Attachment",},],"metadata":{"k":"v",},}"#
        #expect(try QueuedMessage.decode(Array(message.utf8)).get() == JSONDecoder().decode(QueuedMessage.self, from: Data(message.utf8)))
    }

    /// JSONReader checks every string; JSONDecoder only the members it decodes (found by the fuzz target).
    @Test func aMalformedStringInAMemberNobodyReadsIsRefusedToo() {
        let message = "{\"id\":\"m\",\"type\":\"text\",\"extra\":\"a\u{1}b\"}"
        #expect(QueuedMessage.decode(Array(message.utf8)) == .failure(ValidationFailure(
            field: "", reason: "message is not valid JSON: a control character must be escaped in a string at byte 34")))
    }

    @Test(arguments: [
        ("", "unexpected end of the document at byte 0"),
        ("{", "expected a member name in quotes at byte 1"),
        (#"{"a" 1}"#, "expected ':' after the member name at byte 5"),
        (#"{"a":1,,}"#, "expected a member name in quotes at byte 7"),
        ("[1,,]", "unexpected character ',' at byte 3"),
        ("[,]", "unexpected character ',' at byte 1"),
        ("[1 2]", "expected ',' or ']' in a list at byte 3"),
        (#""abc"#, "a string is not closed at byte 4"),
        ("\"a\tb\"", "a control character must be escaped in a string at byte 2"),
        (#""\x""#, #"unknown escape '\x' at byte 2"#),
        (#""\u12G4""#, #"a \u escape needs 4 hex digits at byte 5"#),
        (#""\ud800""#, "a high surrogate escape must be followed by a low one at byte 7"),
        (#""\udc00""#, "a low surrogate escape without a high one at byte 7"),
        ("tru", "unexpected character 't' at byte 0"),
        ("{} x", "unexpected text after the JSON value at byte 3"),
    ])
    func refusesMalformedText(text: String, error: String) {
        #expect(syntaxError(text) == error)
    }

    func syntaxError(_ text: String) -> String? {
        do throws(JSONReader.SyntaxError) {
            _ = try JSONReader.read(Array(text.utf8))
            return nil
        } catch {
            return error.description
        }
    }

    @Test func refusesInvalidUTF8AndTooDeepNesting() {
        #expect(throws: JSONReader.SyntaxError.self) { try JSONReader.read([0x22, 0xC3, 0x28, 0x22]) }
        let deep = String(repeating: "[", count: JSONReader.maximumDepth + 1) + String(repeating: "]", count: JSONReader.maximumDepth + 1)
        #expect(syntaxError(deep) == "nested more than \(JSONReader.maximumDepth) levels deep at byte \(JSONReader.maximumDepth)")
        let deepest = String(repeating: "[", count: JSONReader.maximumDepth) + String(repeating: "]", count: JSONReader.maximumDepth)
        #expect(syntaxError(deepest) == nil)
    }

    static let messages = [
        #"{"id":"m-1","tenantId":"acme","org":"us","type":"text","textBody":"hi \"you\"","conversationId":"c-1","metadata":{"k":"v","n":"\u0001"},"sender":{"id":"+1555","idType":"Phone","nickname":"n","firstName":"f","lastName":"l","email":"e","image":"i"},"createdAt":"2026-11-25T10:00:00Z","expiresAt":"2026-11-25T10:01:00Z"}"#,
        #"{"id":"m-2","type":"media","content":[{"contentType":"Attachment","attachment":{"id":"a","mediaType":"Image","url":"https://x/y.png","mime":"image/png","filename":"y.png","text":"t","sha256":"abc"}}],"sender":null,"unknown":[1,{"x":null}]}"#,
    ]

    @Test(arguments: messages)
    func decodesQueuedMessagesAsJSONDecoderDoes(text: String) throws {
        let direct = try QueuedMessage.decode(Array(text.utf8)).get()
        let foundation = try JSONDecoder().decode(QueuedMessage.self, from: Data(text.utf8))
        #expect(direct == foundation)
    }

    @Test(arguments: [
        (#"[]"#, "", "the message must be a JSON object, got a list"),
        (#"{"type":"text"}"#, "id", "required field 'id' is missing"),
        (#"{"id":null,"type":"text"}"#, "id", "'id' must be a string, not null"),
        (#"{"id":"m","type":5}"#, "type", "'type' must be a string"),
        (#"{"id":"m","type":"text","sender":{"id":"a"}}"#, "sender.idType", "required field 'sender.idType' is missing"),
        (#"{"id":"m","type":"text","sender":"a"}"#, "sender", "'sender' must be an object"),
        (#"{"id":"m","type":"text","content":{}}"#, "content", "'content' must be a list"),
        (#"{"id":"m","type":"text","content":[{"contentType":"Attachment","attachment":{"mediaType":"Image"}}]}"#,
         "content[0].attachment.url", "required field 'content[0].attachment.url' is missing"),
        (#"{"id":"m","type":"text","metadata":{"k":1}}"#, "metadata.k", "'metadata.k' must be a string"),
        (#"{"id":"m","type":"text","metadata":[]}"#, "metadata", "'metadata' must be an object of strings"),
        (#"{"id":"m","type":"text""#, "", "message is not valid JSON: expected ',' or '}' in an object at byte 23"),
    ])
    func namesTheFieldThatIsWrong(text: String, field: String, reason: String) {
        #expect(QueuedMessage.decode(Array(text.utf8)) == .failure(ValidationFailure(field: field, reason: reason)))
    }

    @Test func writesInboundMessagesAsJSONEncoderDoes() throws {
        let attachment = try QueuedMessage.decode(Array(Self.messages[1].utf8)).get().content?.first?.attachment
        let sender = try #require(try QueuedMessage.decode(Array(Self.messages[0].utf8)).get().sender)
        let bodies = [
            OpenInboundNormalizedMessage(
                channel: .init(messageId: "m-1", from: .init(sender), time: "2026-11-25T10:00:00Z"),
                text: "a \"quote\", a slash / and \u{1} \n\t é", metadata: ["b": "2", "a": "1"]),
            OpenInboundNormalizedMessage(
                channel: .init(messageId: nil, from: .init(sender), time: "t"),
                content: [OpenInboundMessageContent(attachment: .init(try #require(attachment)))]),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for body in bodies {
            #expect(String(decoding: body.jsonBytes, as: UTF8.self) == String(decoding: try encoder.encode(body), as: UTF8.self))
        }
    }
}
