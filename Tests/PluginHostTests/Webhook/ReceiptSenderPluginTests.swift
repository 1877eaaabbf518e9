import Foundation
import GatewayTestSupport
import PluginKit
import Testing
@testable import PluginHost

/// The `receipt` sender plugin, loaded from its built `.so` and called through the C ABI as the host calls it.
@Suite struct ReceiptSenderPluginTests {
    let registry: PluginRegistry
    let folder: TemporaryDirectory
    let context = OrgContext(tenantID: "acme", orgName: "us", integrationID: "int/1")

    init() {
        (registry, folder) = BuiltPlugins.shippedRegistry()
    }

    func build(_ message: String) throws -> Result<PluginRequest, ValidationFailure> {
        try #require(registry.sender(for: "receipt")).makeSender().buildRequest(message: Array(message.utf8), context: context)
    }

    static let head = #""id":"rc-1","tenantId":"acme","type":"receipt","genesysMessageId":"a1b2c3d4","customerId":"+15550100001""#

    @Test func aDeliveredReceiptBecomesOpenInboundNormalizedReceipt() throws {
        let request = try build("{" + Self.head + #","status":"Delivered","isFinalReceipt":true,"createdAt":"2026-11-25T10:00:02Z"}"#).get()
        #expect(request.method == "POST")
        #expect(request.path == "/api/v2/conversations/messages/int%2F1/inbound/open/receipt")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? NSDictionary)
        let expected: NSDictionary = [
            "id": "a1b2c3d4", "status": "Delivered", "isFinalReceipt": true,
            "channel": ["to": ["id": "+15550100001"], "time": "2026-11-25T10:00:02Z"],
        ]
        #expect(body == expected)
    }

    @Test func aFailedReceiptCarriesItsReasons() throws {
        let request = try build("{" + Self.head + #","customerIdType":"Phone","status":"Failed","reasons":[{"code":"RecipientOptedOut","message":"customer blocked the channel"}],"createdAt":"2026-11-25T10:00:02.5+01:00"}"#).get()
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? NSDictionary)
        #expect(body["reasons"] as? NSArray == [["code": "RecipientOptedOut", "message": "customer blocked the channel"]])
        #expect((body["channel"] as? NSDictionary)?["to"] as? NSDictionary == ["id": "+15550100001", "idType": "Phone"])
        #expect(body["isFinalReceipt"] == nil)
    }

    @Test(arguments: [
        (#"{"id":"r","type":"receipt""#, "", "message is not valid JSON"),
        (#"{"id":"r","type":"receipt","customerId":"c","status":"Sent","createdAt":"2026-11-25T10:00:00Z"}"#, "genesysMessageId", "required field 'genesysMessageId' is missing"),
        (#"{"id":"r","type":"receipt","genesysMessageId":"","customerId":"c","status":"Sent","createdAt":"2026-11-25T10:00:00Z"}"#, "genesysMessageId", "'genesysMessageId' (Genesys' id of the agent message) must not be empty"),
        (#"{"id":"r","type":"receipt","genesysMessageId":"g","status":"Sent","createdAt":"2026-11-25T10:00:00Z"}"#, "customerId", "required field 'customerId' is missing"),
        (#"{"id":"r","type":"receipt","genesysMessageId":"g","customerId":"c","customerIdType":"Fax","status":"Sent","createdAt":"2026-11-25T10:00:00Z"}"#, "customerIdType", "'customerIdType' must be one of Email, Phone, Opaque, got 'Fax'"),
        (#"{"id":"r","type":"receipt","genesysMessageId":"g","customerId":"c","status":"Read","createdAt":"2026-11-25T10:00:00Z"}"#, "status", "'status' must be one of Sent, Delivered, Failed, Published, Removed, got 'Read'"),
        (#"{"id":"r","type":"receipt","genesysMessageId":"g","customerId":"c","status":"Delivered","reasons":[{"message":"x"}],"createdAt":"2026-11-25T10:00:00Z"}"#, "reasons", "'reasons' go only with status 'Failed', got status 'Delivered'"),
        (#"{"id":"r","type":"receipt","genesysMessageId":"g","customerId":"c","status":"Failed","reasons":[{"code":"Oops","message":"x"}],"createdAt":"2026-11-25T10:00:00Z"}"#, "reasons[0].code", "'code' must be one of MessageExpired"),
        (#"{"id":"r","type":"receipt","genesysMessageId":"g","customerId":"c","status":"Failed","reasons":[{"code":"GeneralError"}],"createdAt":"2026-11-25T10:00:00Z"}"#, "reasons[0].message", "required field 'reasons[0].message' is missing"),
        (#"{"id":"r","type":"receipt","genesysMessageId":"g","customerId":"c","status":"Sent","isFinalReceipt":"yes","createdAt":"2026-11-25T10:00:00Z"}"#, "isFinalReceipt", "'isFinalReceipt' must be of type Bool"),
        (#"{"id":"r","type":"receipt","genesysMessageId":"g","customerId":"c","status":"Sent","createdAt":"now"}"#, "createdAt", "'createdAt' must be an ISO-8601 date-time like 2026-11-25T10:00:00Z, got 'now'"),
    ])
    func invalidReceiptsNameTheField(message: String, field: String, reason: String) throws {
        guard case .failure(let failure) = try build(message) else {
            Issue.record("accepted \(message)")
            return
        }
        #expect(failure.field == field)
        #expect(failure.reason.hasPrefix(reason), "got \(failure.reason)")
    }

    @Test func theReceiptPluginTakesNoSettings() throws {
        let plugin = try #require(registry.sender(for: "receipt"))
        #expect(plugin.name == "receipt")
        #expect(throws: PluginInstanceError(plugin: "receipt", message: "refused its settings: retries: unknown setting 'retries' (known: none)")) {
            try plugin.makeSender(settingsJSON: #"{"retries":3}"#)
        }
    }
}
