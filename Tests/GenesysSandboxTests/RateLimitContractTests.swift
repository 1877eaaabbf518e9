//
// RateLimitContractTests.swift — GenesysSandboxTests
// Requests per minute per client: inin-ratelimit-* headers, 429 with Retry-After, window reset.
//

import Foundation
import Testing

@testable import GenesysSandbox

@Suite("Rate limit")
struct RateLimitContractTests {
    @Test func overTheLimitIs429WithRetryAfterUntilTheWindowResets() async throws {
        let clock = ManualClock()
        try await Fixtures.withSandbox(Fixtures.configuration(acmeRate: 3), clock: clock) { api in
            let token = try await api.token()
            let path = api.inboundPath(Fixtures.acmeIntegration)
            for count in 1...3 {
                let response = try await api.post(path, token: token, json: Fixtures.message())
                #expect(response.status == 200)
                #expect(response.header("inin-ratelimit-allowed") == "3")
                #expect(response.header("inin-ratelimit-count") == String(count))
            }
            clock.advance(by: 17.5)
            let limited = try await api.post(path, token: token, json: Fixtures.message())
            #expect(limited.status == 429)
            #expect(limited.header("Retry-After") == "43")
            #expect(limited.json["code"] == "too.many.requests.retry.after")
            #expect(limited.json["message"] == "Rate limit exceeded the maximum. Retry the request in [43] seconds")
            #expect(limited.json["details"] == [])
            #expect(limited.json["errors"] == [])
            #expect(limited.header("inin-ratelimit-reset") == "43")
            let otherToken = try await api.token(clientId: Fixtures.otherClient, secret: Fixtures.otherSecret)
            #expect(try await api.post(api.inboundPath(Fixtures.otherIntegration), token: otherToken, json: Fixtures.message()).status == 200)
            clock.advance(by: 43)
            let afterReset = try await api.post(path, token: token, json: Fixtures.message())
            #expect(afterReset.status == 200)
            #expect(afterReset.header("inin-ratelimit-count") == "1")
        }
    }

    @Test func rejectedRequestsAreNotRecordedAsReceived() async throws {
        let clock = ManualClock()
        try await Fixtures.withSandbox(Fixtures.configuration(acmeRate: 2), clock: clock) { api in
            let token = try await api.token()
            var statuses: [Int] = []
            for index in 0..<5 {
                let body = Fixtures.message(messageId: "m\(index)")
                statuses.append(try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: body).status)
            }
            #expect(statuses == [200, 200, 429, 429, 429])
            #expect(api.control.received(integrationId: Fixtures.acmeIntegration).map(\.channelMessageId) == ["m0", "m1"])
            #expect(api.control.stats().statusCounts["429"] == 3)
        }
    }
}
