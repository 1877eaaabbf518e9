import Foundation
import GatewayTestSupport
import Logging
import Synchronization
import Testing
@testable import GatewayCore
@testable import OrgServices

/// Token caching, renewal timing, single flight and back-off, on a manual clock with a scripted login host.
@Suite(.timeLimit(.minutes(1))) struct OAuthTokenStoreTests {
    let clock = ManualClock()
    let org = OrgKey(tenantID: "acme", orgName: "us")

    static func tokenResponse(_ value: String, expiresIn: Int) -> HTTPResponse {
        HTTPResponse(status: 200, body: Array(#"{"access_token":"\#(value)","token_type":"bearer","expires_in":\#(expiresIn)}"#.utf8))
    }

    func store(_ http: ScriptedHTTPClient) -> OAuthTokenStore {
        OAuthTokenStore(
            org: org,
            credentials: .init(
                loginBaseURL: "http://login.test", clientID: Secret("client"), clientSecret: Secret("s3cret"),
                connectTimeout: .seconds(1), totalTimeout: .seconds(5)),
            http: http, clock: clock, logger: Logger(label: "test"))
    }

    @Test func requestsAClientCredentialsGrantWithBasicAuth() async throws {
        let http = ScriptedHTTPClient { _ in Self.tokenResponse("t1", expiresIn: 86400) }
        let token = try await store(http).token()
        #expect(token.value.reveal() == "t1")
        let request = try #require(http.requests.first)
        #expect(request.method == "POST")
        #expect(request.url == "http://login.test/oauth/token")
        #expect(request.body == Array("grant_type=client_credentials".utf8))
        let basic = Data("client:s3cret".utf8).base64EncodedString()
        #expect(request.headers.contains { $0.name == "Authorization" && $0.value == "Basic \(basic)" })
        #expect(request.headers.contains { $0.name == "Content-Type" && $0.value == "application/x-www-form-urlencoded" })
    }

    @Test func renewalPointIsEightyPercentOrSixtySecondsBeforeExpiryButNotBeforeHalfLife() {
        #expect(AccessToken.renewalTime(issued: .zero, lifetime: .seconds(86400)) == .seconds(69120))
        #expect(AccessToken.renewalTime(issued: .zero, lifetime: .seconds(200)) == .seconds(140))
        #expect(AccessToken.renewalTime(issued: .zero, lifetime: .seconds(250)) == .seconds(190))
        #expect(AccessToken.renewalTime(issued: .seconds(10), lifetime: .seconds(3)) == .seconds(11.5))
    }

    @Test func twoHundredConcurrentCallersShareOneTokenRequest() async throws {
        let gate = Gate()
        let http = ScriptedHTTPClient { _ in
            await gate.wait()
            return Self.tokenResponse("shared", expiresIn: 3)
        }
        let store = store(http)
        let values = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<200 { group.addTask { try await store.token().value.reveal() } }
            while http.requests.isEmpty || gate.waiting == 0 { await Task.yield() }
            for _ in 0..<100 { await Task.yield() }
            gate.open()
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(values.count == 200 && values.allSatisfy { $0 == "shared" })
        #expect(http.requests.count == 1)
    }

    @Test func renewsInTheBackgroundBeforeExpiryWhileCallersKeepTheValidToken() async throws {
        let counter = Atomic<Int>(0)
        let http = ScriptedHTTPClient { _ in
            let number = counter.add(1, ordering: .relaxed).newValue
            return Self.tokenResponse("t\(number)", expiresIn: 3)
        }
        let store = store(http)
        #expect(try await store.token().value.reveal() == "t1")
        clock.advance(by: .seconds(1.4))
        #expect(try await store.token().value.reveal() == "t1")  // before the renewal point: cached
        #expect(http.requests.count == 1)
        clock.advance(by: .seconds(0.2))  // 1.6 s of 3 s: past half-life, still valid
        #expect(try await store.token().value.reveal() == "t1")  // served at once; renewal runs behind
        while await store.renewals < 2 || http.requests.count < 2 { await Task.yield() }
        for _ in 0..<50 { await Task.yield() }
        #expect(try await store.token().value.reveal() == "t2")
        #expect(http.requests.count == 2)
    }

    @Test func invalidatingRenewsOnceHoweverManyCallersSawTheRefusedToken() async throws {
        let counter = Atomic<Int>(0)
        let http = ScriptedHTTPClient { _ in
            Self.tokenResponse("t\(counter.add(1, ordering: .relaxed).newValue)", expiresIn: 3600)
        }
        let store = store(http)
        let refused = try await store.token()
        for _ in 0..<10 { await store.invalidate(refused) }
        #expect(try await store.token().value.reveal() == "t2")
        await store.invalidate(refused)  // stale: t2 stays
        #expect(try await store.token().value.reveal() == "t2")
        #expect(http.requests.count == 2)
    }

    @Test func aFailingLoginHostBacksOffInsteadOfLooping() async throws {
        let http = ScriptedHTTPClient { _ in
            HTTPResponse(
                status: 401, headers: ["inin-correlation-id": "c-1"],
                body: Array(#"{"error":"invalid_client","description":"bad","error_description":"client authentication failed"}"#.utf8))
        }
        let store = store(http)
        for _ in 0..<20 {
            await #expect(throws: TokenError.self) { try await store.token() }
        }
        #expect(http.requests.count == 1)  // the other 19 callers got the error without a request
        do {
            _ = try await store.token()
        } catch let error as TokenError {
            #expect(error.reason == .rejected(status: 401, error: "invalid_client", description: "client authentication failed"))
            #expect(error.retryAt == .seconds(1))
            #expect(error.correlationID == "c-1")
            #expect(!error.description.contains("s3cret"))
        }
        clock.advance(by: .seconds(1))
        await #expect(throws: TokenError.self) { try await store.token() }
        #expect(http.requests.count == 2)
        do {
            _ = try await store.token()
        } catch let error as TokenError {
            #expect(error.retryAt == .seconds(3))  // 1 s, then 2 s
        }
    }

    @Test func aThrottledLoginHostIsRetriedAfterItsRetryAfter() async throws {
        let http = ScriptedHTTPClient { _ in
            HTTPResponse(status: 429, headers: ["retry-after": "7"], body: Array(#"{"error":"too_many_requests"}"#.utf8))
        }
        let error = await #expect(throws: TokenError.self) { try await store(http).token() }
        #expect(error?.retryAt == .seconds(7))
    }

    @Test func transportErrorsAreReportedAsSuch() async throws {
        let http = ScriptedHTTPClient { request in
            throw TransportError(kind: .connection, message: "refused", url: request.url)
        }
        let error = await #expect(throws: TokenError.self) { try await store(http).token() }
        #expect(error?.reason == .transport(TransportError(kind: .connection, message: "refused", url: "http://login.test/oauth/token")))
    }

    /// Issue 25: `expires_in` is the login host's word. A huge one is clamped to two days before any arithmetic
    /// on it (the token is then renewed as a two-day token would be); a negative, zero or non-integer one is
    /// refused as a malformed answer, not taken for a token.
    @Test func aLoginAnswersLifetimeIsClampedOrRefused() async throws {
        let huge = ScriptedHTTPClient { _ in Self.tokenResponse("t1", expiresIn: Int.max) }
        let token = try await store(huge).token()
        #expect(token.expiresAt == clock.now() + .seconds(2 * 86_400))
        for bad in ["0", "-5", "1e300", "\"86400\"", "null"] {
            let http = ScriptedHTTPClient { _ in
                HTTPResponse(status: 200, body: Array(#"{"access_token":"t","expires_in":\#(bad)}"#.utf8))
            }
            let error = await #expect(throws: TokenError.self, "expires_in \(bad)") { try await store(http).token() }
            #expect(error?.reason == .malformedResponse("no access_token/expires_in"), "expires_in \(bad)")
        }
    }

    /// Issue 25: the login host's answer is read up to 64 KiB; a larger one fails the login cleanly.
    @Test func aLoginAnswerLargerThanItsLimitFailsTheLogin() async throws {
        let http = ScriptedHTTPClient { _ in
            HTTPResponse(status: 200, body: Array(#"{"access_token":"t","expires_in":86400,"pad":""#.utf8) + Array(repeating: 0x61, count: 70_000) + Array(#""}"#.utf8))
        }
        let error = await #expect(throws: TokenError.self) { try await store(http).token() }
        #expect(error?.reason == .transport(.responseTooLarge(limit: 64 * 1024, url: "http://login.test/oauth/token")))
    }
}
