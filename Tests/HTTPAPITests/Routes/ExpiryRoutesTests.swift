import GatewayTestSupport
import Foundation
import Testing
@testable import HTTPAPI
@testable import OrgServices

/// The HTTP API honours expiry as the queue does: a message already expired when it arrives is answered 422
/// `expired` and neither sent nor queued; a garbled `expiresAt` is a 400 naming the field. In process (moved from
/// `APIExpiryIntegrationTests`): the check is the route's, made against the wall clock before anything is sent.
@Suite(.timeLimit(.minutes(1))) struct ExpiryRoutesTests {
    static let org = {
        var org = TestOrg(tenant: "alpha", name: "one")
        org.expiry = .init(afterSeconds: [("typing", "5")])
        return org
    }()

    static func text(id: String, expiresAt: String) -> String {
        #"{"id":"\#(id)","type":"text","textBody":"hello","sender":{"id":"+15550001","idType":"Phone"},"expiresAt":"\#(expiresAt)"}"#
    }

    @Test("an expired message is answered 422 expired by both send routes; a future expiresAt is sent; a garbled one is 400")
    func expiredMessages() async throws {
        let fixture = try RouteFixture(orgs: [Self.org])
        try await fixture.run { api in
            let key = Self.org.apiKey
            for route in ["/v1/messages", "/v1/messages/async"] {
                let late = try await api.call("POST", route, key: key, json: Self.text(id: "late", expiresAt: "2026-11-25T10:00:00Z"))
                #expect(late.status == 422, "\(route): \(late.text)")
                #expect(late.error["code"] as? String == "expired")
                #expect(late.error["field"] as? String == "expiresAt")
                #expect((late.error["message"] as? String)?.contains("2026-11-25T10:00:00.000Z") == true)
            }
            // Old enough for the org's 5 s typing expiry, counted from its createdAt.
            let typing = try await api.call(
                "POST", "/v1/messages", key: key,
                json: #"{"id":"old-typing","type":"typing","sender":{"id":"+15550001","idType":"Phone"},"createdAt":"2026-11-25T10:00:00Z"}"#)
            #expect(typing.status == 422, "\(typing.text)")
            #expect(typing.error["code"] as? String == "expired")

            let garbled = try await api.call("POST", "/v1/messages", key: key, json: Self.text(id: "garbled", expiresAt: "tomorrow"))
            #expect(garbled.status == 400)
            #expect(garbled.error["code"] as? String == "invalid_message")
            #expect(garbled.error["field"] as? String == "expiresAt")
            #expect(fixture.genesys.received().isEmpty)
            #expect(fixture.broker.published.isEmpty, "an expired message was queued")
            #expect(try await api.call("GET", "/v1/messages/late", key: key).status == 404)

            let inTime = StatusEvent.format(Date().addingTimeInterval(600))
            let sent = try await api.call("POST", "/v1/messages", key: key, json: Self.text(id: "in-time", expiresAt: inTime))
            #expect(sent.status == 200, "\(sent.text)")
            #expect(fixture.genesys.received().compactMap(\.channelMessageId) == ["in-time"])
        }
    }
}
