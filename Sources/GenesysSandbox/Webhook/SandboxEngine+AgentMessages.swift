//
// SandboxEngine+AgentMessages.swift — GenesysSandbox
// Sending an agent message of a conversation to its integration's webhook.
//

import Foundation

extension SandboxEngine {
    /// Creates an agent message in `conversation` and delivers it to the integration's webhook.
    /// - Parameters:
    ///   - conversation: where the agent writes; it must have an integration.
    ///   - text: the message text.
    ///   - wait: `true` to wait for the delivery (all retries) and return its report; `false` to
    ///     deliver in the background.
    /// - Returns: the message and, when waited for, the delivery report.
    func sendAgentMessage(in conversation: Conversation, text: String, wait: Bool) async throws(GenesysError)
        -> (AgentMessage, DeliveryReport?)
    {
        guard let integrationId = conversation.integrationId, let integration = directory.integrations[integrationId]
        else {
            throw GenesysError.badRequest("The conversation has no Open Messaging integration to send through.")
        }
        let message = AgentMessage(
            id: InboundRoutes.newMessageId(), conversationId: conversation.id, integration: integration,
            customerId: conversation.customerId, text: text, time: clock.now(), agentName: "Sandbox Agent")
        guard integration.webhookURL != nil else { return (message, nil) }
        if wait {
            return (message, await webhooks.deliver(message))
        }
        webhooks.enqueue(message)
        return (message, nil)
    }

    /// The MessageData answer for an agent or agentless message.
    func messageData(for message: AgentMessage) -> JSONValue {
        [
            "id": .string(message.id),
            "conversationId": .string(message.conversationId),
            "direction": "outbound",
            "messengerType": "open",
            "fromAddress": .string(message.integration.id),
            "toAddress": .string(message.customerId),
            "textBody": .string(message.text),
            "status": "queued",
            "timestamp": .string(DateTimeFormat.string(from: message.time)),
            "selfUri": .string("/api/v2/conversations/messages/\(message.conversationId)/messages/\(message.id)"),
        ]
    }
}
