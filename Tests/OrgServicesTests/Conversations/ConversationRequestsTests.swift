import Foundation
import Testing

@testable import OrgServices

@Suite struct ConversationRequestsTests {
    @Test func idsAreOnePathSegmentEvenWithDotsOrSlashes() {
        #expect(ConversationRequests.get("../../users").path == "/api/v2/conversations/messages/%2E%2E%2F%2E%2E%2Fusers")
        #expect(ConversationRequests.close("..").path == "/api/v2/conversations/messages/%2E%2E")
        let transfer = ConversationRequests.replaceParticipant("c-1", participantID: "p/../x", transfer: ParticipantTransfer(queueId: "q"))
        #expect(transfer.path == "/api/v2/conversations/messages/c-1/participants/p%2F%2E%2E%2Fx/replace")
    }

    @Test func bodiesUseGenesysFieldNames() throws {
        let agentless = ConversationRequests.agentless(integrationID: "integration-1", toAddress: "+1555", text: "hi")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(agentless.body)) as? [String: String])
        #expect(body == ["fromAddress": "integration-1", "toAddress": "+1555", "toAddressMessengerType": "open", "textBody": "hi"])
        #expect(agentless.path == "/api/v2/conversations/messages/agentless")
        let outbound = ConversationRequests.createOutbound(queueID: "q-1", toAddress: "+1555", messengerType: "open", useExistingConversation: nil)
        #expect(String(decoding: outbound.body, as: UTF8.self) == #"{"queueId":"q-1","toAddress":"+1555","toAddressMessengerType":"open"}"#)
    }
}
