import GatewayConfig
import GatewayCore
import Logging
import OrgServices
import PluginHost
import PluginKit

/// One request to an org's Genesys API with its token, judged by the org's error policy.
///
/// When the policy says the token was refused, the token is dropped (once per token, however many calls
/// saw it); the caller sends once more, through the limiter and the breaker again, within the same attempt.
struct GenesysCall {
    let org: OrgRuntime
    let http: any HTTPClient
    let clock: any MonotonicClock
    let logger: Logger
    var observer: any GenesysCallObserving = IgnoringCallObserver()
    /// The operation label observers see.
    var operation = "message"

    struct Result {
        var decision: PolicyDecision
        var response: HTTPResponse?
        var error: GenesysError?
        /// A delay the call itself learned (the token store's back-off), when the policy gave none.
        var retryAfterHint: Duration?
        var breakerOutcome: CircuitOutcome
        /// Genesys or its login host asked to wait (a 429, or no token to be had): nothing about the message
        /// was refused, so waiting costs it no attempt — only retry time.
        var isThrottle = false
    }

    func perform(_ request: PluginRequest, attempt: Int, messageID: String) async -> Result {
        let token: AccessToken
        do {
            token = try await org.tokens.token()
        } catch let error as TokenError {
            return Result(
                decision: PolicyDecision(action: .retry, reason: error.description), response: nil, error: nil,
                retryAfterHint: max(error.retryAt - clock.now(), .zero), breakerOutcome: .ignored, isThrottle: error.isOutage)
        } catch {
            return Result(
                decision: PolicyDecision(action: .retry, reason: "token unavailable: \(error)"), response: nil, error: nil,
                retryAfterHint: nil, breakerOutcome: .ignored)
        }
        let outcome = await send(request, token: token, attempt: attempt)
        if outcome.decision.action == .refreshTokenAndRetry {
            await org.tokens.invalidate(token)
        }
        return outcome
    }

    private func send(_ request: PluginRequest, token: AccessToken, attempt: Int) async -> Result {
        let http = HTTPRequest(
            method: request.method, url: org.config.endpoints.apiBaseURL + request.path,
            headers: [("Authorization", "Bearer \(token.value.reveal())"), ("Content-Type", "application/json")],
            body: request.body,
            connectTimeout: .milliseconds(org.config.http.connectTimeoutMilliseconds),
            totalTimeout: .milliseconds(org.config.http.requestTimeoutMilliseconds), transport: org.config.http.transport)
        let response: HTTPResponse
        let started = clock.now()
        do {
            response = try await self.http.execute(http)
            observer.observe(GenesysCallRecord(org: org.key, operation: operation, status: response.status, duration: clock.now() - started))
        } catch let error as TransportError {
            observer.observe(GenesysCallRecord(org: org.key, operation: operation, status: nil, duration: clock.now() - started))
            let transport: PolicyResponse.Transport = error.kind == .timeout ? .timeout : (error.kind == .connection ? .connect : .other)
            let decision = org.policy.decide(PolicyResponse(statusCode: 0, transport: transport, attempt: attempt))
            logger.warning("transport error", metadata: ["error": "\(error)"])
            return Result(decision: decision, response: nil, error: nil, retryAfterHint: nil, breakerOutcome: Self.breakerOutcome(decision))
        } catch {
            let decision = PolicyDecision(action: .retry, reason: "request cancelled")
            return Result(decision: decision, response: nil, error: nil, retryAfterHint: nil, breakerOutcome: .ignored)
        }
        let decision = org.policy.decide(PolicyResponse(
            statusCode: response.status, retryAfterMilliseconds: response.retryAfter.map { $0.millisecondsRoundedUp },
            attempt: attempt, correlationID: response.correlationID ?? "", body: response.body))
        let error = (200..<300).contains(response.status) ? nil : GenesysError(org: org.key, response: response)
        if response.status == 429 {
            await org.limiter.throttled(retryAfter: response.retryAfter)
        }
        return Result(
            decision: decision, response: response, error: error, retryAfterHint: nil, breakerOutcome: Self.breakerOutcome(decision),
            isThrottle: response.status == 429)
    }

    /// Failures that say Genesys is unwell count; answers that refuse the message itself count as healthy
    /// calls; throttling and token refreshes say nothing either way.
    static func breakerOutcome(_ decision: PolicyDecision) -> CircuitOutcome {
        if decision.countsAsBreakerFailure { return .failure }
        switch decision.action {
        case .delivered, .deadLetter: return .success
        case .retry, .refreshTokenAndRetry: return .ignored
        }
    }
}
