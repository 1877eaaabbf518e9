import GatewayTestSupport
import Testing
@testable import HTTPAPI

/// The conversation routes: create (open, agentless, outbound), get, transfer and close, each answered from the
/// org's Genesys; another tenant's key gets 404; Genesys' own error code is kept. In process (moved from
/// `APIIntegrationTests/conversations` and `APIContractIntegrationTests/onlyAMessageOpensAConversation`): the routes
/// pass Genesys' answers through, so a scripted Genesys in the sandbox's shapes is all they need; the sandbox's own
/// conversation behaviour has its contract tests (`GenesysSandboxTests`).
@Suite(.timeLimit(.minutes(1))) struct ConversationRoutesTests {
    @Test("conversations: create, get, transfer, close; another tenant's key gets 404; Genesys' 404 keeps its code")
    func conversations() async throws {
        let fixture = try RouteFixture()
        try await fixture.run { api in
            let key = TestOrg.alphaOne.apiKey
            let created = try await api.call(
                "POST", "/v1/conversations", key: key,
                json: #"{"kind":"open","message":{"id":"c-1","type":"text","textBody":"hi","sender":{"id":"+15550009","idType":"Phone"}}}"#)
            #expect(created.status == 201, "\(created.text)")
            let conversation = try #require(created.object["conversationId"] as? String)

            let fetched = try await api.call("GET", "/v1/conversations/\(conversation)", key: key)
            #expect(fetched.status == 200)
            let participants = try #require((fetched.object["conversation"] as? [String: Any])?["participants"] as? [[String: Any]])
            let agent = try #require(participants.first { $0["purpose"] as? String == "agent" }?["id"] as? String)

            #expect(try await api.call("GET", "/v1/conversations/\(conversation)", key: TestOrg.beta.apiKey).status == 404)
            #expect(try await api.call("POST", "/v1/conversations/\(conversation)/close", key: TestOrg.beta.apiKey).status == 404)

            let transfer = try await api.call(
                "POST", "/v1/conversations/\(conversation)/participants", key: key, json: #"{"participantId":"\#(agent)","queueId":"queue-7"}"#)
            #expect(transfer.status == 202, "\(transfer.text)")
            let twoTargets = try await api.call(
                "POST", "/v1/conversations/\(conversation)/participants", key: key, json: #"{"participantId":"\#(agent)","queueId":"q","userId":"u"}"#)
            #expect(twoTargets.status == 400)

            let closed = try await api.call("POST", "/v1/conversations/\(conversation)/close", key: key)
            #expect(closed.status == 200)
            let states = ((closed.object["conversation"] as? [String: Any])?["participants"] as? [[String: Any]])?.compactMap { $0["state"] as? String }
            #expect(states?.allSatisfy { $0 == "disconnected" } == true)

            let unknown = try await api.call("GET", "/v1/conversations/00000000-0000-0000-0000-000000000000", key: key)
            #expect(unknown.status == 404)
            #expect(unknown.error["code"] as? String == "genesys.not_found")
            let genesys = unknown.error["genesys"] as? [String: Any]
            #expect(genesys?["code"] as? String == "not.found")
            #expect((genesys?["correlationId"] as? String)?.isEmpty == false)

            let agentless = try await api.call(
                "POST", "/v1/conversations", key: key, json: #"{"kind":"agentless","toAddress":"+15550009","text":"Your order shipped"}"#)
            #expect(agentless.status == 201, "\(agentless.text)")
            let outbound = try await api.call(
                "POST", "/v1/conversations?org=two", key: key, json: #"{"kind":"outbound","queueId":"queue-1","toAddress":"+15550010"}"#)
            #expect(outbound.status == 201, "\(outbound.text)")
            #expect(outbound.object["org"] as? String == "two")
            let missingQueue = try await api.call("POST", "/v1/conversations", key: key, json: #"{"kind":"outbound","toAddress":"+1"}"#)
            #expect(missingQueue.status == 400)
            #expect(missingQueue.error["field"] as? String == "queueId")
        }
        // What the routes asked Genesys: the four the gateway refused itself (beta's get and close, the two-target
        // transfer, the outbound without a queue) asked nothing.
        let calls = fixture.genesysCalls.map { "\($0.method) \($0.url)" }
        #expect(calls.count == 7, "\(calls)")
        #expect(calls.filter { $0.hasPrefix("PATCH ") }.count == 1, "\(calls)")
        #expect(calls.filter { $0.hasSuffix("/replace") }.count == 1, "\(calls)")
        #expect(fixture.genesysCalls.last?.url.hasPrefix(TestOrg.alphaTwo.baseURL) == true, "the outbound conversation went to org two")
    }

    @Test("open conversation: a receipt or typing event opens none, so it is refused (400 message.type) before anything is sent")
    func onlyAMessageOpensAConversation() async throws {
        let fixture = try RouteFixture()
        try await fixture.run { api in
            let receipt = #"{"id":"r-1","type":"receipt","genesysMessageId":"g-1","customerId":"+15550001","status":"Delivered"}"#
            let typing = #"{"id":"t-1","type":"typing","sender":{"id":"+15550001","idType":"Phone"}}"#
            for first in [receipt, typing] {
                let answer = try await api.call(
                    "POST", "/v1/conversations", key: TestOrg.alphaOne.apiKey, json: #"{"kind":"open","message":\#(first)}"#)
                #expect(answer.status == 400, "\(answer.text)")
                #expect(answer.error["field"] as? String == "message.type")
            }
        }
        #expect(fixture.genesys.received().isEmpty, "nothing may reach Genesys")
        #expect(fixture.genesysCalls.isEmpty, "nothing may reach Genesys")
    }
}
