//
// ValidationTests.swift — GenesysSandboxTests
// The JSON parser and the schema validator over the real model definitions.
//

import Testing

@testable import GenesysSandbox

@Suite("JSON and schema validation")
struct ValidationTests {
    let validator = SchemaValidator(catalog: Fixtures.catalog, rejectUnknownProperties: false)

    @Test func bundledModelsAreAllLoaded() {
        #expect(Fixtures.catalog.modelNames.count == 284)
        #expect(Fixtures.catalog.modelNames.contains("OpenInboundNormalizedMessage"))
    }

    @Test func parserRoundTripsEscapesNumbersAndNesting() throws {
        let text = #"{"a":[1,-2.5,1e3,true,false,null],"s":"q\"\\\n\u00e9\ud83d\ude00","o":{}}"#
        let value = try JSONValue.parse(Array(text.utf8))
        #expect(value["a"]?.arrayValue?.count == 6)
        #expect(value["a"]?.arrayValue?[0] == .int(1))
        #expect(value["a"]?.arrayValue?[1] == .double(-2.5))
        #expect(value["s"]?.stringValue == "q\"\\\né😀")
        #expect(try JSONValue.parse(value.serialized()) == value)
    }

    @Test(arguments: ["", "{", #"{"a":}"#, "[1,]", "01", #"{"a":1}x"#, "tru", #""\x""#])
    func parserRejectsMalformedJSON(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(Array(text.utf8)) }
    }

    @Test func validMessagePasses() {
        #expect(validator.validate(Fixtures.message(), model: "OpenInboundNormalizedMessage").isEmpty)
    }

    @Test func missingRequiredFieldsAreNamedByPath() {
        let body = Fixtures.message { $0["channel"] = ["from": ["nickname": "x"]] }
        let fields = validator.validate(body, model: "OpenInboundNormalizedMessage").map(\.fieldName)
        #expect(fields == ["channel.time", "channel.from.id", "channel.from.idType"])
    }

    @Test func enumTypeAndFormatProblemsAreReported() {
        let body = Fixtures.message {
            $0["channel"] = ["from": ["id": 42, "idType": "Fax"], "time": "2026-01-02 03:04"]
            $0["metadata"] = ["k": 1]
        }
        let issues = validator.validate(body, model: "OpenInboundNormalizedMessage")
        #expect(issues.map(\.description) == [
            "channel.from.id: invalid.type", "channel.from.idType: invalid.value",
            "channel.time: invalid.format", "metadata.k: invalid.type",
        ])
    }

    @Test func arrayItemsFollowTheirReference() {
        let body = Fixtures.message {
            $0["content"] = [["attachment": ["mediaType": "Hologram", "url": "u"]]]
        }
        let issues = validator.validate(body, model: "OpenInboundNormalizedMessage")
        #expect(issues.map(\.fieldName) == ["content[0].attachment.mime", "content[0].attachment.mediaType"])
    }

    @Test func unknownPropertiesAreIgnoredUnlessStrict() {
        let body = Fixtures.message { $0["surprise"] = true }
        #expect(validator.validate(body, model: "OpenInboundNormalizedMessage").isEmpty)
        let strict = SchemaValidator(catalog: Fixtures.catalog, rejectUnknownProperties: true)
        #expect(strict.validate(body, model: "OpenInboundNormalizedMessage").map(\.description) == ["surprise: unrecognized.field"])
    }

    @Test func textOrContentAndOneAttachmentRules() {
        let neither = Fixtures.message(text: nil)
        #expect(OpenMessagingRules.inboundMessage(neither).map(\.fieldName) == ["text"])
        let two = Fixtures.message { $0["content"] = [Fixtures.attachment(), Fixtures.attachment("File")] }
        #expect(OpenMessagingRules.inboundMessage(two).map(\.description) == ["content: invalid.value"])
        let one = Fixtures.message { $0["content"] = [Fixtures.attachment()]; $0["text"] = nil }
        #expect(OpenMessagingRules.inboundMessage(one).isEmpty)
    }

    @Test(arguments: [
        ("2026-01-02T03:04:05Z", true), ("2026-01-02T03:04:05.123456+02:00", true), ("2026-13-02T03:04:05Z", false),
        ("2026-01-02T03:04:05", false), ("2026-01-02", false), ("2026-01-02T03:04:05.Z", false),
    ])
    func dateTimeFormat(_ text: String, _ valid: Bool) {
        #expect(DateTimeFormat.isValid(text) == valid)
    }

    @Test func dateFormattingIsISO8601UTC() {
        let date = Date(timeIntervalSince1970: 1_767_323_045.678)
        #expect(DateTimeFormat.string(from: date) == "2026-01-02T03:04:05.678Z")
    }
}

import Foundation
