import GatewayTestSupport
import Testing
@testable import HTTPAPI

/// Requests the API refuses for their own sake — bad JSON, a wrong field, a type no plugin knows, another
/// tenant's `tenantId`, an unknown org or route — each answered with the field or code named, and nothing sent to
/// Genesys. In process (moved from `APIIntegrationTests/badRequests`): the checks run before any call to Genesys, so
/// the scripted one only has to prove it was never asked.
@Suite(.timeLimit(.minutes(1))) struct BadRequestRoutesTests {
    @Test("bad requests are refused with the field named, and nothing reaches Genesys")
    func badRequests() async throws {
        let fixture = try RouteFixture()
        try await fixture.run { api in
            let key = TestOrg.alphaOne.apiKey
            let malformed = try await api.call("POST", "/v1/messages", key: key, json: #"{"id": "x", "type": "text", "#)
            #expect(malformed.status == 400)
            #expect(malformed.error["code"] as? String == "invalid_body")

            let wrongType = try await api.call("POST", "/v1/messages", key: key, json: #"{"id":"x","type":"text","textBody":"a","sender":{"id":5,"idType":"Phone"}}"#)
            #expect(wrongType.status == 400)
            #expect(wrongType.error["field"] as? String == "sender.id")

            let missingText = try await api.call("POST", "/v1/messages", key: key, json: #"{"id":"x","type":"text","sender":{"id":"1","idType":"Phone"}}"#)
            #expect(missingText.status == 400)
            #expect(missingText.error["code"] as? String == "invalid_message")

            let unknownType = try await api.call("POST", "/v1/messages", key: key, json: #"{"id":"x","type":"carrier-pigeon","textBody":"a","sender":{"id":"1","idType":"Phone"}}"#)
            #expect(unknownType.status == 400)
            #expect(unknownType.error["field"] as? String == "type")

            let otherTenant = try await api.call("POST", "/v1/messages", key: key, json: RouteFixture.text(id: "x", tenant: "beta"))
            #expect(otherTenant.status == 400)
            #expect(otherTenant.error["field"] as? String == "tenantId")

            let unknownOrg = try await api.call("POST", "/v1/messages?org=mars", key: key, json: RouteFixture.text(id: "x"))
            #expect(unknownOrg.status == 404)
            #expect(unknownOrg.error["code"] as? String == "org_not_found")

            let notJSON = try await api.call("POST", "/v1/messages", key: key, headers: [("Content-Type", "text/plain")])
            #expect(notJSON.status == 415)

            let badKind = try await api.call("POST", "/v1/conversations", key: key, json: #"{"kind":"telepathy"}"#)
            #expect(badKind.status == 400)
            #expect(badKind.error["field"] as? String == "kind")

            let noRoute = try await api.call("GET", "/v1/nowhere", key: key)
            #expect(noRoute.status == 404)
            #expect(noRoute.error["code"] as? String == "no_such_route")
            #expect(noRoute.header("X-Request-Id") != nil)
        }
        #expect(fixture.genesys.received().isEmpty)
        #expect(fixture.genesysCalls.isEmpty, "a refused request reached Genesys")
        #expect(fixture.broker.published.isEmpty)
    }
}
