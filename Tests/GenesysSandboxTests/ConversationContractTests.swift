//
// ConversationContractTests.swift — GenesysSandboxTests
// Conversation endpoints over real HTTP: get, participants, replace, disconnect, outbound, agentless.
//

import Foundation
import Testing

@testable import GenesysSandbox

@Suite("Conversations")
struct ConversationContractTests {
    /// Sends one message from `customer` and returns its conversation id.
    static func openConversation(_ api: TestAPI, token: String, customer: String = "customer-1") async throws -> String {
        let response = try await api.post(
            api.inboundPath(Fixtures.acmeIntegration) + "?prefetchConversationId=true", token: token,
            json: Fixtures.message(customer: customer))
        return try #require(response.json["conversationId"]?.stringValue)
    }

    static func participants(_ conversation: JSONValue) -> [JSONValue] {
        conversation["participants"]?.arrayValue ?? []
    }

    @Test func getReturnsTheMessageConversation() async throws {
        try await Fixtures.withSandbox { api in
            let token = try await api.token()
            let id = try await Self.openConversation(api, token: token)
            let response = try await api.send(.GET, "/api/v2/conversations/messages/\(id)", token: token)
            #expect(response.status == 200)
            #expect(response.json["id"]?.stringValue == id)
            #expect(Fixtures.responseIssues(response.json, model: "MessageConversation").isEmpty)
            let purposes = Self.participants(response.json).compactMap { $0["purpose"]?.stringValue }
            #expect(purposes == ["customer", "agent"])
            #expect(Self.participants(response.json).allSatisfy { $0["state"] == "connected" })
        }
    }

    @Test func unknownOrForeignConversationIsNotFound() async throws {
        try await Fixtures.withSandbox { api in
            let token = try await api.token()
            let id = try await Self.openConversation(api, token: token)
            let unknown = try await api.send(.GET, "/api/v2/conversations/messages/\(UUID().uuidString.lowercased())", token: token)
            #expect(unknown.status == 404)
            #expect(unknown.json["code"] == "not.found")
            let otherToken = try await api.token(clientId: Fixtures.otherClient, secret: Fixtures.otherSecret)
            let foreign = try await api.send(.GET, "/api/v2/conversations/messages/\(id)", token: otherToken)
            #expect(foreign.status == 404)
            let disconnect = try await api.send(.POST, "/api/v2/conversations/\(id)/disconnect", token: otherToken)
            #expect(disconnect.status == 404)
        }
    }

    @Test func patchingTheAgentDisconnectedEndsTheConversation() async throws {
        try await Fixtures.withSandbox { api in
            let token = try await api.token()
            let id = try await Self.openConversation(api, token: token)
            let before = try await api.send(.GET, "/api/v2/conversations/messages/\(id)", token: token)
            let agent = try #require(Self.participants(before.json).first { $0["purpose"] == "agent" }?["id"]?.stringValue)
            let path = "/api/v2/conversations/messages/\(id)/participants/\(agent)"
            let patch = try await api.send(.PATCH, path, token: token, body: #"{"state":"disconnected"}"#)
            #expect(patch.status == 202)
            let after = try await api.send(.GET, "/api/v2/conversations/messages/\(id)", token: token)
            #expect(Self.participants(after.json).allSatisfy { $0["state"] == "disconnected" })
            #expect(Self.participants(after.json).first { $0["purpose"] == "agent" }?["disconnectType"] == "client")
            let next = try await Self.openConversation(api, token: token)
            #expect(next != id)
            let missing = try await api.send(.PATCH, "/api/v2/conversations/messages/\(id)/participants/nobody", token: token, body: #"{"state":"disconnected"}"#)
            #expect(missing.status == 404)
            let badState = try await api.send(.PATCH, path, token: token, body: #"{"state":"sleeping"}"#)
            #expect(badState.status == 400)
            #expect(badState.detailFields == ["state"])
        }
    }

    @Test func replaceAddsAParticipantAndDisconnectsTheOldOne() async throws {
        try await Fixtures.withSandbox { api in
            let token = try await api.token()
            let id = try await Self.openConversation(api, token: token)
            let before = try await api.send(.GET, "/api/v2/conversations/messages/\(id)", token: token)
            let agent = try #require(Self.participants(before.json).first { $0["purpose"] == "agent" }?["id"]?.stringValue)
            let replace = try await api.send(
                .POST, "/api/v2/conversations/messages/\(id)/participants/\(agent)/replace", token: token,
                body: #"{"queueId":"queue-7","transferType":"Unattended"}"#)
            #expect(replace.status == 202)
            let after = Self.participants(try await api.send(.GET, "/api/v2/conversations/messages/\(id)", token: token).json)
            #expect(after.count == 3)
            #expect(after[1]["state"] == "disconnected")
            #expect(after[1]["disconnectType"] == "transfer")
            #expect(after[2]["purpose"] == "acd")
            #expect(after[2]["queue"]?["id"] == "queue-7")
            #expect(after[0]["state"] == "connected")
            let badType = try await api.send(
                .POST, "/api/v2/conversations/messages/\(id)/participants/\(after[2]["id"]!.stringValue!)/replace",
                token: token, body: #"{"queueId":"q","transferType":"Sideways"}"#)
            #expect(badType.detailFields == ["transferType"])
        }
    }

    @Test func disconnectClosesEveryParticipant() async throws {
        try await Fixtures.withSandbox { api in
            let token = try await api.token()
            let id = try await Self.openConversation(api, token: token)
            let response = try await api.send(.POST, "/api/v2/conversations/\(id)/disconnect", token: token)
            #expect(response.status == 202)
            let after = try await api.send(.GET, "/api/v2/conversations/messages/\(id)", token: token)
            #expect(Self.participants(after.json).allSatisfy { $0["state"] == "disconnected" && $0["endTime"] != nil })
            #expect(try await api.send(.POST, "/api/v2/conversations/nope/disconnect", token: token).status == 404)
        }
    }

    @Test func outboundConversationIsCreated() async throws {
        try await Fixtures.withSandbox { api in
            let token = try await api.token()
            let body: JSONValue = ["queueId": "queue-1", "toAddress": "customer-9", "toAddressMessengerType": "open"]
            let response = try await api.post("/api/v2/conversations/messages", token: token, json: body)
            #expect(response.status == 200)
            #expect(Fixtures.responseIssues(response.json, model: "CreateOutboundMessagingConversationResponse").isEmpty)
            let id = try #require(response.json["id"]?.stringValue)
            let conversation = try await api.send(.GET, "/api/v2/conversations/messages/\(id)", token: token)
            #expect(Self.participants(conversation.json).map { $0["purpose"] } == ["customer", "acd"])
            let invalid = try await api.post("/api/v2/conversations/messages", token: token, json: ["queueId": "q"])
            #expect(invalid.detailFields == ["toAddress", "toAddressMessengerType"])
        }
    }

    @Test func agentlessMessageIsSentAndLimitedTo2000Characters() async throws {
        try await Fixtures.withSandbox { api in
            let token = try await api.token()
            let body: JSONValue = [
                "fromAddress": .string(Fixtures.acmeIntegration), "toAddress": "customer-5",
                "toAddressMessengerType": "open", "textBody": "Your parcel is on its way",
            ]
            let response = try await api.post("/api/v2/conversations/messages/agentless", token: token, json: body)
            #expect(response.status == 200)
            #expect(Fixtures.responseIssues(response.json, model: "SendAgentlessOutboundMessageResponse").isEmpty)
            #expect(response.json["conversationId"]?.stringValue != nil)
            var long = body.objectValue!
            long["textBody"] = .string(String(repeating: "x", count: 2001))
            let tooLong = try await api.post("/api/v2/conversations/messages/agentless", token: token, json: .object(long))
            #expect(tooLong.status == 400)
            #expect(tooLong.detailFields == ["textBody"])
            var foreign = body.objectValue!
            foreign["fromAddress"] = .string(Fixtures.otherIntegration)
            let notFound = try await api.post("/api/v2/conversations/messages/agentless", token: token, json: .object(foreign))
            #expect(notFound.status == 404)
        }
    }
}
