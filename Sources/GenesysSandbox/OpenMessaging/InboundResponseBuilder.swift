//
// InboundResponseBuilder.swift — GenesysSandbox
// Builds the response models of the inbound endpoints from a validated request body.
//

/// Turns an accepted inbound body into Genesys' response model.
enum InboundResponseBuilder {
    /// The OpenMessagingChannel of the response: the integration is `to`, the customer `from`.
    static func channel(for body: JSONValue, integrationId: String) -> JSONValue {
        let requestChannel = body["channel"] ?? .object([:])
        return .compactObject([
            ("id", .string(integrationId)),
            ("platform", "Open"),
            ("type", "Private"),
            ("to", .object(["id": .string(integrationId)])),
            ("from", requestChannel["from"]),
            ("time", requestChannel["time"]),
            ("messageId", requestChannel["messageId"]),
            ("metadata", requestChannel["metadata"]),
        ])
    }

    /// The receipt's channel: the customer is `to` (as sent), the integration `from`.
    static func receiptChannel(for body: JSONValue, integrationId: String) -> JSONValue {
        let requestChannel = body["channel"] ?? .object([:])
        return .compactObject([
            ("id", .string(integrationId)),
            ("platform", "Open"),
            ("type", "Private"),
            ("to", requestChannel["to"]),
            ("from", .object(["id": .string(integrationId), "idType": "Opaque"])),
            ("time", requestChannel["time"]),
        ])
    }

    static func response(
        for endpoint: InboundEndpoint, body: JSONValue, integrationId: String, id: String, conversationId: String?
    ) -> JSONValue {
        switch endpoint {
        case .message:
            let content = body["content"]?.arrayValue?.map { entry -> JSONValue in
                .compactObject([("contentType", "Attachment"), ("attachment", entry["attachment"])])
            }
            return .compactObject([
                ("id", .string(id)), ("channel", channel(for: body, integrationId: integrationId)), ("type", "Text"),
                ("text", body["text"]), ("content", content.map(JSONValue.array)), ("metadata", body["metadata"]),
                ("conversationId", .optionalString(conversationId)),
            ])
        case .event:
            return .compactObject([
                ("id", .string(id)), ("channel", channel(for: body, integrationId: integrationId)), ("type", "Event"),
                ("events", body["events"]),
            ])
        case .receipt:
            return .compactObject([
                ("id", .string(id)), ("channel", receiptChannel(for: body, integrationId: integrationId)),
                ("type", "Receipt"), ("status", body["status"]), ("direction", "Outbound"),
                ("reasons", body["reasons"]), ("isFinalReceipt", body["isFinalReceipt"]),
            ])
        case .structuredResponse:
            let content: JSONValue = .array([
                .compactObject([("contentType", "ButtonResponse"), ("buttonResponse", body["buttonResponse"])])
            ])
            return .compactObject([
                ("id", .string(id)), ("channel", channel(for: body, integrationId: integrationId)),
                ("type", "Structured"), ("direction", "Inbound"), ("content", content),
            ])
        }
    }
}
