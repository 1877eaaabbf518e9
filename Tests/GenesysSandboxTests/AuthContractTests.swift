//
// AuthContractTests.swift — GenesysSandboxTests
// POST /oauth/token and bearer authentication over real HTTP: 401 × 3 kinds, expiry, revocation, orgs.
//

import Foundation
import Testing

@testable import GenesysSandbox

@Suite("OAuth and authentication")
struct AuthContractTests {
    @Test func clientCredentialsIssueABearerToken() async throws {
        try await Fixtures.withSandbox(Fixtures.configuration(tokenLifetime: 600)) { api in
            let response = try await api.tokenResponse(clientId: Fixtures.acmeClient, secret: Fixtures.acmeSecret)
            #expect(response.status == 200)
            #expect(response.json["token_type"] == "bearer")
            #expect(response.json["expires_in"] == .int(600))
            #expect((response.json["access_token"]?.stringValue ?? "").count >= 32)
            #expect(response.header("ININ-Correlation-Id") != nil)
        }
    }

    @Test func defaultLifetimeIs86400() async throws {
        try await Fixtures.withSandbox { api in
            let response = try await api.tokenResponse(clientId: Fixtures.otherClient, secret: Fixtures.otherSecret)
            #expect(response.json["expires_in"] == .int(86400))
        }
    }

    @Test func wrongCredentialsGetTheOAuthErrorBody() async throws {
        try await Fixtures.withSandbox { api in
            let wrongSecret = try await api.tokenResponse(clientId: Fixtures.acmeClient, secret: "nope")
            #expect(wrongSecret.status == 401)
            #expect(wrongSecret.json == [
                "error": "invalid_client", "description": "authentication failed",
                "error_description": "authentication failed",
            ])
            let unknown = try await api.tokenResponse(clientId: "ghost", secret: "x")
            #expect(unknown.status == 401)
            #expect(unknown.json["error_description"] == "client not found")
            let grant = try await api.tokenResponse(
                clientId: Fixtures.acmeClient, secret: Fixtures.acmeSecret, grantType: "password")
            #expect(grant.status == 400)
            #expect(grant.json["error"] == "unsupported_grant_type")
        }
    }

    @Test func missingTokenIsAuthenticationRequired() async throws {
        try await Fixtures.withSandbox { api in
            let response = try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: nil, json: Fixtures.message())
            #expect(response.status == 401)
            #expect(response.json["code"] == "authentication.required")
            #expect(response.json["status"] == .int(401))
            #expect(response.json["contextId"]?.stringValue == response.header("ININ-Correlation-Id"))
        }
    }

    @Test func unknownTokenIsBadCredentials() async throws {
        try await Fixtures.withSandbox { api in
            let response = try await api.post(
                api.inboundPath(Fixtures.acmeIntegration), token: "not-a-token", json: Fixtures.message())
            #expect(response.status == 401)
            #expect(response.json["code"] == "bad.credentials")
        }
    }

    @Test func expiredTokenIsCredentialsExpiredOnTheTestClock() async throws {
        let clock = ManualClock()
        try await Fixtures.withSandbox(Fixtures.configuration(tokenLifetime: 5), clock: clock) { api in
            let token = try await api.token()
            let path = api.inboundPath(Fixtures.acmeIntegration)
            #expect(try await api.post(path, token: token, json: Fixtures.message()).status == 200)
            clock.advance(by: 4.9)
            #expect(try await api.post(path, token: token, json: Fixtures.message()).status == 200)
            clock.advance(by: 0.2)
            let expired = try await api.post(path, token: token, json: Fixtures.message())
            #expect(expired.status == 401)
            #expect(expired.json["code"] == "credentials.expired")
            let renewed = try await api.token()
            #expect(try await api.post(path, token: renewed, json: Fixtures.message()).status == 200)
        }
    }

    @Test func tokenExpiresInRealSeconds() async throws {
        try await Fixtures.withSandbox(Fixtures.configuration(tokenLifetime: 1)) { api in
            let token = try await api.token()
            let path = "/api/v2/conversations/messages/00000000-0000-0000-0000-000000000000"
            #expect(try await api.send(.GET, path, token: token).status == 404)
            try await Task.sleep(for: .milliseconds(1100))
            let expired = try await api.send(.GET, path, token: token)
            #expect(expired.json["code"] == "credentials.expired")
        }
    }

    @Test func revokedTokensAreBadCredentials() async throws {
        try await Fixtures.withSandbox { api in
            let token = try await api.token()
            let other = try await api.token(clientId: Fixtures.otherClient, secret: Fixtures.otherSecret)
            let revoke = try await api.send(.POST, "/sandbox/clients/\(Fixtures.acmeClient)/revoke-tokens")
            #expect(revoke.json["revoked"] == .int(1))
            let response = try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: Fixtures.message())
            #expect(response.status == 401)
            #expect(response.json["code"] == "bad.credentials")
            let untouched = try await api.post(api.inboundPath(Fixtures.otherIntegration), token: other, json: Fixtures.message())
            #expect(untouched.status == 200)
            // The 401 is counted as injected by the revocation; a token never issued is not.
            let neverIssued = try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: "f00d", json: Fixtures.message())
            #expect(neverIssued.status == 401)
            #expect(api.control.stats().injected(.revokedToken, for: .client(Fixtures.acmeClient)) == 1)
            #expect(api.control.stats().injected(.revokedToken, for: .client(Fixtures.otherClient)) == 0)
            let stats = try await api.send(.GET, "/sandbox/stats")
            #expect(stats.json["injected"]?["client:\(Fixtures.acmeClient)"]?["401-revoked-token"] == 1)
        }
    }

    @Test func anotherOrgsIntegrationIsNotFound() async throws {
        try await Fixtures.withSandbox { api in
            let token = try await api.token()
            let response = try await api.post(api.inboundPath(Fixtures.otherIntegration), token: token, json: Fixtures.message())
            #expect(response.status == 404)
            #expect(response.json["code"] == "not.found")
        }
    }

    @Test func everyResponseCarriesCorrelationAndRateLimitHeaders() async throws {
        try await Fixtures.withSandbox { api in
            let token = try await api.token()
            for response in [
                try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: token, json: Fixtures.message()),
                try await api.post(api.inboundPath(Fixtures.acmeIntegration), token: nil, json: Fixtures.message()),
                try await api.send(.GET, "/api/v2/nothing/here", token: token),
            ] {
                #expect(UUID(uuidString: response.header("ININ-Correlation-Id") ?? "") != nil)
                #expect(response.header("inin-ratelimit-allowed") == "300")
                #expect(response.header("inin-ratelimit-count") != nil)
                #expect(response.header("inin-ratelimit-reset") != nil)
            }
        }
    }
}
