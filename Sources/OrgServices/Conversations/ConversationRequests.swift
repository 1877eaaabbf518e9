import Foundation
public import PluginKit

/// The Genesys requests behind the API's conversation endpoints (API.md, "Conversations"), with the
/// request bodies in Genesys' own field names.
public enum ConversationRequests {
    /// `GET /api/v2/conversations/messages/{conversationId}` → MessageConversation.
    public static func get(_ conversationID: String) -> PluginRequest {
        PluginRequest(method: "GET", path: "/api/v2/conversations/messages/\(escape(conversationID))", body: [])
    }

    /// `POST /api/v2/conversations/messages` (CreateOutboundMessagingConversationRequest).
    public static func createOutbound(queueID: String, toAddress: String, messengerType: String, useExistingConversation: Bool?) -> PluginRequest {
        struct Body: Encodable {
            var queueId: String
            var toAddress: String
            var toAddressMessengerType: String
            var useExistingConversation: Bool?
        }
        return post("/api/v2/conversations/messages", Body(
            queueId: queueID, toAddress: toAddress, toAddressMessengerType: messengerType, useExistingConversation: useExistingConversation))
    }

    /// `POST /api/v2/conversations/messages/agentless`: for Open Messaging `fromAddress` is the integration id and
    /// the messenger type `open`; text only, at most 2,000 characters.
    public static func agentless(integrationID: String, toAddress: String, text: String) -> PluginRequest {
        struct Body: Encodable {
            var fromAddress: String
            var toAddress: String
            var toAddressMessengerType = "open"
            var textBody: String
        }
        return post("/api/v2/conversations/messages/agentless", Body(fromAddress: integrationID, toAddress: toAddress, textBody: text))
    }

    /// `POST /api/v2/conversations/messages/{id}/participants/{participantId}/replace` (TransferRequest): hands the
    /// participant's side of the conversation to an agent, a queue or an external address.
    public static func replaceParticipant(_ conversationID: String, participantID: String, transfer: ParticipantTransfer) -> PluginRequest {
        post("/api/v2/conversations/messages/\(escape(conversationID))/participants/\(escape(participantID))/replace", transfer)
    }

    /// `PATCH /api/v2/conversations/messages/{id}`: disconnects every participant.
    public static func close(_ conversationID: String) -> PluginRequest {
        PluginRequest(
            method: "PATCH", path: "/api/v2/conversations/messages/\(escape(conversationID))",
            body: Array(#"{"state":"disconnected"}"#.utf8))
    }

    package static let maxAgentlessText = 2000

    private static func post(_ path: String, _ body: some Encodable) -> PluginRequest {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Plain structs of strings and booleans: encoding cannot fail.
        return PluginRequest(method: "POST", path: path, body: (try? encoder.encode(body)).map(Array.init) ?? [])
    }

    /// Path segments are percent-encoded, dots included (a `..` segment would otherwise climb out of the path), so
    /// an id can never reach another path.
    package static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
    }

    private static let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_~")
}

/// Genesys' TransferRequest: exactly one target.
public struct ParticipantTransfer: Codable, Sendable, Equatable {
    public var userId: String?
    public var userName: String?
    public var queueId: String?
    public var address: String?

    public init(userId: String? = nil, userName: String? = nil, queueId: String? = nil, address: String? = nil) {
        self.userId = userId
        self.userName = userName
        self.queueId = queueId
        self.address = address
    }

    /// How many targets are named (a transfer names exactly one).
    public var targetCount: Int {
        [userId, userName, queueId, address].compactMap { $0 }.count
    }
}
