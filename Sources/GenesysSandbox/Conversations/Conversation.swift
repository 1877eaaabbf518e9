//
// Conversation.swift — GenesysSandbox
// A messaging conversation and its participants, rendered as Genesys' MessageConversation.
//

import Foundation

/// One participant of a messaging conversation.
struct Participant: Sendable {
    let id: String
    /// `customer`, `agent`, `acd` or `external`.
    let purpose: String
    /// `connected` or `disconnected`.
    var state: String
    /// The customer's address (`from.id`), or the transfer target's.
    let address: String?
    let name: String?
    let userId: String?
    let queueId: String?
    let connectedTime: Date
    var endTime: Date?
    var disconnectType: String?

    var isConnected: Bool { state == "connected" }

    var json: JSONValue {
        .compactObject([
            ("id", .string(id)), ("purpose", .string(purpose)), ("state", .string(state)),
            ("type", .string("open")), ("direction", .string(purpose == "customer" ? "inbound" : "outbound")),
            ("name", .optionalString(name)),
            ("address", .optionalString(address)),
            ("fromAddress", address.map { JSONValue.object(["addressNormalized": .string($0)]) }),
            ("user", userId.map { JSONValue.object(["id": .string($0)]) }),
            ("queue", queueId.map { JSONValue.object(["id": .string($0)]) }),
            ("connectedTime", .string(DateTimeFormat.string(from: connectedTime))),
            ("endTime", endTime.map { .string(DateTimeFormat.string(from: $0)) }),
            ("disconnectType", .optionalString(disconnectType)),
        ])
    }
}

/// A messaging conversation between a customer (on one integration) and the org.
struct Conversation: Sendable {
    let id: String
    let orgId: String
    /// The Open Messaging integration the customer writes through (absent for outbound ones
    /// whose integration the request did not name).
    let integrationId: String?
    /// The customer's id on the integration (`channel.from.id`).
    let customerId: String
    var participants: [Participant]

    /// Open while the customer and at least one other participant are connected.
    var isOpen: Bool {
        guard let customer = participants.first(where: { $0.purpose == "customer" }), customer.isConnected else {
            return false
        }
        return participants.contains { $0.purpose != "customer" && $0.isConnected }
    }

    var selfUri: String { "/api/v2/conversations/messages/\(id)" }

    /// The MessageConversation JSON.
    var json: JSONValue {
        [
            "id": .string(id),
            "selfUri": .string(selfUri),
            "participants": .array(participants.map(\.json)),
        ]
    }

    /// Disconnects every participant still connected.
    mutating func disconnectAll(at time: Date, type: String) {
        for index in participants.indices where participants[index].isConnected {
            participants[index].state = "disconnected"
            participants[index].endTime = time
            participants[index].disconnectType = type
        }
    }
}
