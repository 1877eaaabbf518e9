import PluginKit
import GatewayTestSupport
import Testing
@testable import PluginHost

/// The shipped `default` error policy, through the C ABI.
@Suite struct DefaultPolicyTests {
    let policy: PolicyInstance
    let folder: TemporaryDirectory

    init() throws {
        let (registry, folder) = BuiltPlugins.shippedRegistry()
        self.folder = folder
        policy = try #require(registry.errorPolicy(named: "default")).makePolicy()
    }

    func decide(_ status: Int, retryAfter: Int64? = nil, body: String = "") -> PolicyDecision {
        policy.decide(PolicyResponse(statusCode: status, retryAfterMilliseconds: retryAfter, body: Array(body.utf8)))
    }

    /// The ABI's status and attempt are 32-bit: values beyond them are clamped on the way in, never a trap.
    @Test func aStatusOrAttemptBeyondTheABIsFieldsIsClamped() {
        let clamped = policy.decide(PolicyResponse(statusCode: Int(Int32.max), attempt: Int(UInt32.max)))
        #expect(policy.decide(PolicyResponse(statusCode: Int.max, attempt: Int.max)) == clamped)
        #expect(policy.decide(PolicyResponse(statusCode: Int.min, attempt: Int.min))
            == policy.decide(PolicyResponse(statusCode: Int(Int32.min), attempt: 1)))
    }

    @Test func successIsDelivered() {
        #expect(decide(200).action == .delivered)
        #expect(decide(202).action == .delivered)
    }

    @Test func unauthorizedRefreshesTheToken() {
        let decision = decide(401, body: #"{"code":"credentials.expired","message":"expired","status":401}"#)
        #expect(decision.action == .refreshTokenAndRetry)
        #expect(!decision.countsAsBreakerFailure)
        #expect(decision.reason == "HTTP 401 credentials.expired: expired")
    }

    @Test func tooManyRequestsWaitsForRetryAfterWithoutTrippingTheBreaker() {
        let decision = decide(429, retryAfter: 42_000)
        #expect(decision == PolicyDecision(action: .retry, retryAfterMilliseconds: 42_000, countsAsBreakerFailure: false, reason: "HTTP 429"))
    }

    @Test(arguments: [500, 502, 503, 504, 408])
    func serverErrorsRetryWithBackoffAndCountAgainstTheBreaker(status: Int) {
        let decision = decide(status)
        #expect(decision.action == .retry)
        #expect(decision.retryAfterMilliseconds == nil)
        #expect(decision.countsAsBreakerFailure)
    }

    @Test(arguments: [400, 403, 404, 409, 413, 415, 422])
    func clientErrorsDeadLetterAndDoNotCountAgainstTheBreaker(status: Int) {
        let decision = decide(status)
        #expect(decision.action == .deadLetter)
        #expect(!decision.countsAsBreakerFailure)
    }

    @Test func deadLetterReasonsCarryGenesysCodeAndFields() {
        let body = #"{"message":"Invalid value","code":"bad.request","status":400,"details":[{"errorCode":"invalid.value","fieldName":"channel.from.idType"}]}"#
        #expect(decide(400, body: body).reason == "HTTP 400 bad.request: Invalid value [fields: channel.from.idType]")
    }

    @Test(arguments: [PolicyResponse.Transport.timeout, .connect, .other])
    func transportErrorsRetryAndCount(transport: PolicyResponse.Transport) {
        let decision = policy.decide(PolicyResponse(statusCode: 0, transport: transport))
        #expect(decision.action == .retry)
        #expect(decision.countsAsBreakerFailure)
    }
}
