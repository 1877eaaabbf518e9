//
// ConversationStore.swift — GenesysSandbox
// All conversations, one open conversation per (integration, customer), and their state changes.
//

import Foundation
import NIOConcurrencyHelpers

/// Who replaces a participant (the TransferRequest body, reduced to what the sandbox uses).
struct TransferTarget: Sendable {
    let userId: String?
    let userName: String?
    let queueId: String?
    let address: String?
}

/// Conversations by id, scoped to their org.
final class ConversationStore: Sendable {
    private struct CustomerKey: Hashable, Sendable {
        let integrationId: String
        let customerId: String
    }

    private struct State: Sendable {
        var conversations: [String: Conversation] = [:]
        var openByCustomer: [CustomerKey: String] = [:]
    }

    private let state = NIOLockedValueBox(State())
    private let clock: any SandboxClock

    init(clock: any SandboxClock) {
        self.clock = clock
    }

    /// The open conversation of `customerId` on `integration`, created (customer + agent) if there is none.
    func conversationForCustomer(_ customerId: String, name: String?, on integration: IntegrationRecord) -> String {
        let now = clock.now()
        let key = CustomerKey(integrationId: integration.id, customerId: customerId)
        return state.withLockedValue { state in
            if let id = state.openByCustomer[key], state.conversations[id]?.isOpen == true { return id }
            let conversation = Self.makeConversation(
                orgId: integration.orgId, integrationId: integration.id, customerId: customerId, customerName: name,
                second: Participant(
                    id: Self.newId(), purpose: "agent", state: "connected", address: nil, name: "Sandbox Agent",
                    userId: "sandbox-agent", queueId: nil, connectedTime: now),
                now: now)
            state.conversations[conversation.id] = conversation
            state.openByCustomer[key] = conversation.id
            return conversation.id
        }
    }

    /// A new outbound conversation to `toAddress` with an ACD participant on `queueId`.
    func createOutbound(orgId: String, toAddress: String, queueId: String, integration: IntegrationRecord?) -> Conversation {
        let now = clock.now()
        let conversation = Self.makeConversation(
            orgId: orgId, integrationId: integration?.id, customerId: toAddress, customerName: nil,
            second: Participant(
                id: Self.newId(), purpose: "acd", state: "connected", address: nil, name: nil, userId: nil,
                queueId: queueId, connectedTime: now),
            now: now)
        state.withLockedValue { state in
            state.conversations[conversation.id] = conversation
            if let integration {
                state.openByCustomer[CustomerKey(integrationId: integration.id, customerId: toAddress)] = conversation.id
            }
        }
        return conversation
    }

    /// The conversation `id` if it belongs to `orgId`.
    func conversation(_ id: String, orgId: String) -> Conversation? {
        state.withLockedValue { state in
            guard let conversation = state.conversations[id], conversation.orgId == orgId else { return nil }
            return conversation
        }
    }

    /// The conversation `id` whatever its org (admin use only).
    func conversation(_ id: String) -> Conversation? {
        state.withLockedValue { $0.conversations[id] }
    }

    /// Sets one participant's state to disconnected; when no one but the customer is left, the
    /// customer is disconnected too and the conversation ends.
    func disconnectParticipant(_ participantId: String, in id: String, orgId: String) throws(GenesysError) {
        try update(id, orgId: orgId) { conversation, now throws(GenesysError) in
            guard let index = conversation.participants.firstIndex(where: { $0.id == participantId }) else {
                throw GenesysError.notFound("participant")
            }
            if conversation.participants[index].isConnected {
                conversation.participants[index].state = "disconnected"
                conversation.participants[index].endTime = now
                conversation.participants[index].disconnectType = "client"
            }
            if !conversation.isOpen { conversation.disconnectAll(at: now, type: "peer") }
        }
    }

    /// Replaces one participant (disconnected with type `transfer`) by a new agent, queue or external one.
    func replaceParticipant(_ participantId: String, in id: String, orgId: String, with target: TransferTarget) throws(GenesysError) {
        try update(id, orgId: orgId) { conversation, now throws(GenesysError) in
            guard let index = conversation.participants.firstIndex(where: { $0.id == participantId }) else {
                throw GenesysError.notFound("participant")
            }
            guard conversation.participants[index].isConnected else {
                throw GenesysError(status: .conflict, code: "general.conflict", message: "The participant is not connected.")
            }
            conversation.participants[index].state = "disconnected"
            conversation.participants[index].endTime = now
            conversation.participants[index].disconnectType = "transfer"
            let purpose = target.userId != nil || target.userName != nil ? "agent" : (target.queueId != nil ? "acd" : "external")
            conversation.participants.append(
                Participant(
                    id: Self.newId(), purpose: purpose, state: "connected", address: target.address, name: target.userName,
                    userId: target.userId, queueId: target.queueId, connectedTime: now))
        }
    }

    /// Disconnects every participant: the conversation ends.
    func disconnectAll(in id: String, orgId: String) throws(GenesysError) {
        try update(id, orgId: orgId) { conversation, now throws(GenesysError) in
            conversation.disconnectAll(at: now, type: "client")
        }
    }

    func reset() {
        state.withLockedValue { $0 = State() }
    }

    private func update(
        _ id: String, orgId: String, _ change: (inout Conversation, Date) throws(GenesysError) -> Void
    ) throws(GenesysError) {
        let now = clock.now()
        let result: GenesysError? = state.withLockedValue { state in
            guard var conversation = state.conversations[id], conversation.orgId == orgId else {
                return GenesysError.notFound("conversation")
            }
            do throws(GenesysError) {
                try change(&conversation, now)
            } catch {
                return error
            }
            state.conversations[id] = conversation
            return nil
        }
        if let result { throw result }
    }

    private static func makeConversation(
        orgId: String, integrationId: String?, customerId: String, customerName: String?, second: Participant, now: Date
    ) -> Conversation {
        let customer = Participant(
            id: newId(), purpose: "customer", state: "connected", address: customerId, name: customerName, userId: nil,
            queueId: nil, connectedTime: now)
        return Conversation(
            id: newId(), orgId: orgId, integrationId: integrationId, customerId: customerId,
            participants: [customer, second])
    }

    static func newId() -> String {
        UUID().uuidString.lowercased()
    }
}
