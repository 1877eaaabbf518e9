import GatewayCore
import Logging

/// A token store's failed renewals in a row, and the back-off they call for: one type for the in-memory and
/// the Redis-backed stores, so both pause alike.
struct TokenRenewalFailures {
    private var consecutive = 0
    /// The last failure, answered again to callers until its `retryAt`.
    private(set) var last: TokenError?

    /// The error to answer while the back-off after the last failure lasts, or nil.
    func pending(at now: Duration) -> TokenError? {
        guard let last, now < last.retryAt else { return nil }
        return last
    }

    /// Counts a failed renewal, logs it and returns the error to throw.
    mutating func record(_ failure: OAuthTokenRequest.Failure, org: OrgKey, now: Duration, logger: Logger) -> TokenError {
        consecutive += 1
        let pause = OAuthTokenRequest.pause(afterFailures: consecutive, retryAfter: failure.retryAfter)
        let error = TokenError(org: org, reason: failure.reason, retryAt: now + pause, correlationID: failure.correlationID)
        last = error
        logger.error("token renewal failed", metadata: ["error": "\(error)", "retry.in.s": "\(pause.components.seconds)"])
        return error
    }

    /// A renewal succeeded: the next failure starts the back-off afresh.
    mutating func reset() {
        consecutive = 0
        last = nil
    }
}
