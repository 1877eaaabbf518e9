import Foundation
import PluginKit
import GatewayTestSupport
import Testing
@testable import PluginHost

/// The shipped senders, called through the C ABI exactly as the host calls them.
@Suite struct SenderPluginTests {
    let registry: PluginRegistry
    let folder: TemporaryDirectory
    let context = OrgContext(tenantID: "acme", orgName: "us", integrationID: "int/1 2")

    init() {
        (registry, folder) = BuiltPlugins.shippedRegistry()
    }

    func sender(_ type: String, settings: String = "{}") throws -> SenderInstance {
        try #require(registry.sender(for: type)).makeSender(settingsJSON: settings)
    }

    func json(_ bytes: [UInt8]) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    static let sender = #""sender":{"id":"+15551234567","idType":"Phone","firstName":"Ada"},"createdAt":"2026-11-25T10:00:00.123Z""#

    @Test func textBuildsTheOpenInboundNormalizedMessage() throws {
        let message = #"{"id":"m-1","tenantId":"acme","type":"text","textBody":"Hello \"you\"","metadata":{"k":"v"},"# + Self.sender + "}"
        let request = try sender("text").buildRequest(message: Array(message.utf8), context: context).get()
        #expect(request.method == "POST")
        #expect(request.path == "/api/v2/conversations/messages/int%2F1%202/inbound/open/message?prefetchConversationId=true")
        let expected: NSDictionary = [
            "channel": ["messageId": "m-1", "from": ["id": "+15551234567", "idType": "Phone", "firstName": "Ada"], "time": "2026-11-25T10:00:00.123Z"],
            "text": "Hello \"you\"",
            "metadata": ["k": "v"],
        ]
        #expect(try json(request.body) == expected)
    }

    @Test(arguments: [
        (#"{"id":"m","type":"text","#, "", "message is not valid JSON"),
        (#"{"type":"text","textBody":"x"}"#, "id", "required field 'id' is missing"),
        (#"{"id":"m","type":"text","textBody":"  "}"#, "textBody", "a text message needs a non-empty 'textBody'"),
        (#"{"id":"m","type":"text","textBody":" \u200b\n"}"#, "textBody", "a text message needs a non-empty 'textBody'"),
        (#"{"id":"m","type":"text","textBody":"x"}"#, "sender", "required field 'sender' is missing"),
        (#"{"id":"m","type":"text","textBody":"x","sender":{"id":"a","idType":"Fax"},"createdAt":"2026-11-25T10:00:00Z"}"#, "sender.idType", "'sender.idType' must be one of Email, Phone, Opaque, got 'Fax'"),
        (#"{"id":"m","type":"text","textBody":"x","sender":{"id":"a","idType":"Email"},"createdAt":"yesterday"}"#, "createdAt", "'createdAt' must be an ISO-8601 date-time like 2026-11-25T10:00:00Z, got 'yesterday'"),
        (#"{"id":"m","type":"text","textBody":5}"#, "textBody", "'textBody' must be a string"),
        (#"{"id":"m","type":"text","textBody":"x","content":[{"contentType":"Attachment"}]}"#, "content", "a text message carries no attachments; send it as type 'media'"),
    ])
    func textRefusesInvalidMessagesNamingTheField(message: String, field: String, reason: String) throws {
        let result = try sender("text").buildRequest(message: Array(message.utf8), context: context)
        guard case .failure(let failure) = result else {
            Issue.record("accepted \(message)")
            return
        }
        #expect(failure.field == field)
        #expect(failure.reason.hasPrefix(reason), "got \(failure.reason)")
    }

    @Test func textHonoursItsTenantSetting() throws {
        let message = #"{"id":"m","type":"text","textBody":"too long","# + Self.sender + "}"
        let result = try sender("text", settings: #"{"maxTextLength":3}"#).buildRequest(message: Array(message.utf8), context: context)
        #expect(result == .failure(ValidationFailure(field: "textBody", reason: "'textBody' has 8 characters, more than 3")))
    }

    static func media(type: String, mediaType: String, mime: String, extra: String = "") -> String {
        #"{"id":"m-2","type":""# + type + #"","textBody":"caption","content":[{"contentType":"Attachment","attachment":{"id":"a1","mediaType":""#
            + mediaType + #"","url":"https://cdn.example.com/a.png","mime":""# + mime + #"","filename":"a.png"}}"# + extra + "],"
            + Self.sender + "}"
    }

    @Test func mediaBuildsOneAttachmentByURL() throws {
        let request = try sender("image").buildRequest(
            message: Array(Self.media(type: "image", mediaType: "Image", mime: "image/png").utf8), context: context
        ).get()
        let body = try json(request.body)
        #expect(body["text"] as? String == "caption")
        let content = try #require(body["content"] as? [NSDictionary])
        #expect(content == [["attachment": ["id": "a1", "mediaType": "Image", "url": "https://cdn.example.com/a.png", "mime": "image/png", "filename": "a.png"]]])
    }

    @Test(arguments: [
        ("image", "Image", "video/mp4", "", "content[0].attachment.mime", "mediaType 'Image' needs a image/* mime, got 'video/mp4'"),
        ("video", "Image", "image/png", "", "content[0].attachment.mediaType", "message type 'video' needs mediaType 'Video', got 'Image'"),
        ("media", "Sticker", "image/png", "", "content[0].attachment.mediaType", "'mediaType' must be one of Image, Video, Audio, File, got 'Sticker'"),
        ("media", "File", "pdf", "", "content[0].attachment.mime", "'mime' must look like type/subtype, got 'pdf'"),
        ("media", "File", "application//pdf", "", "content[0].attachment.mime", "'mime' must look like type/subtype, got 'application//pdf'"),
        ("image", "Image", "/image/png", "", "content[0].attachment.mime", "'mime' must look like type/subtype, got '/image/png'"),
        ("media", "Image", "image/png", #",{"contentType":"Attachment"}"#, "content", "Genesys accepts one attachment per message, got 2"),
    ])
    func mediaRefusesWhatGenesysWouldRefuse(type: String, mediaType: String, mime: String, extra: String, field: String, reason: String) throws {
        let message = Self.media(type: type, mediaType: mediaType, mime: mime, extra: extra)
        let result = try sender(type).buildRequest(message: Array(message.utf8), context: context)
        #expect(result == .failure(ValidationFailure(field: field, reason: reason)))
    }

    @Test func mediaAllowListComesFromTenantSettings() throws {
        let message = Self.media(type: "file", mediaType: "File", mime: "application/zip")
        let result = try sender("file", settings: #"{"allowedMimeTypes":["application/pdf"]}"#)
            .buildRequest(message: Array(message.utf8), context: context)
        #expect(result == .failure(ValidationFailure(field: "content[0].attachment.mime", reason: "mime 'application/zip' is not allowed for this tenant")))
    }

    @Test func theCTypingPluginBuildsAnOpenInboundNormalizedEvent() throws {
        let message = #"{"id":"m-3","type":"typing","# + Self.sender + "}"
        let request = try sender("typing").buildRequest(message: Array(message.utf8), context: context).get()
        #expect(request.method == "POST")
        #expect(request.path == "/api/v2/conversations/messages/int%2F1%202/inbound/open/event")
        let expected: NSDictionary = [
            "channel": ["from": ["id": "+15551234567", "idType": "Phone", "firstName": "Ada"], "time": "2026-11-25T10:00:00.123Z"],
            "events": [["eventType": "Typing"]],
        ]
        #expect(try json(request.body) == expected)
    }

    @Test func theCTypingPluginValidatesToo() throws {
        let message = #"{"id":"m-3","type":"typing","sender":{"id":"x","idType":"Pager"},"createdAt":"2026-11-25T10:00:00Z"}"#
        guard case .failure(let failure) = try sender("typing").buildRequest(message: Array(message.utf8), context: context) else {
            Issue.record("typing accepted a bad idType")
            return
        }
        #expect(failure.field == "sender.idType")
    }

    @Test func manyThreadsMayBuildOnOneInstanceAtOnce() async throws {
        let text = try sender("text")
        let message = Array((#"{"id":"m","type":"text","textBody":"hi","# + Self.sender + "}").utf8)
        let context = self.context
        let successes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<200 {
                group.addTask { (try? text.buildRequest(message: message, context: context).get()) != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(successes == 200)
    }
}
