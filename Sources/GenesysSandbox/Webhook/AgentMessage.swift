//
// AgentMessage.swift — GenesysSandbox
// An agent's message to a customer, and its normalized (OpenNormalizedMessage) webhook payload.
//

import Foundation

/// One agent → customer message, to be delivered to an integration's webhook.
struct AgentMessage: Sendable {
    let id: String
    let conversationId: String
    let integration: IntegrationRecord
    let customerId: String
    let text: String
    let time: Date
    let agentName: String

    /// The body Genesys POSTs: OpenNormalizedMessage with `direction: "Outbound"`, `channel.to.id` = the customer.
    var payload: JSONValue {
        [
            "id": .string(id),
            "channel": [
                "id": .string(integration.id),
                "platform": "Open",
                "type": "Private",
                "to": ["id": .string(customerId)],
                "from": ["id": .string(integration.id), "idType": "Opaque", "nickname": .string(agentName)],
                "time": .string(DateTimeFormat.string(from: time)),
            ],
            "type": "Text",
            "text": .string(text),
            "direction": "Outbound",
        ]
    }
}
