/// Every default a tenant file can leave out, in one place (the README's config reference lists the same).
///
/// A tenant's `defaults:` block overrides these for all its orgs; an org's own block overrides both.
public enum ConfigDefaults {
    public static let enabled = true
    public static let errorPolicy = "default"
    public static let messageTypes = ["text"]

    public static let rateLimit = RateLimitSettings(messagesPerSecond: 5, burst: 10)

    public static let circuitBreaker = CircuitBreakerSettings(
        failureThresholdPercent: 50, windowSeconds: 60, minimumRequests: 20,
        openSeconds: 30, maxOpenSeconds: 300, halfOpenProbes: 3)

    public static let retry = RetrySettings(
        maxAttempts: 10, baseDelayMilliseconds: 500, maxDelayMilliseconds: 60_000,
        retryAfterCapSeconds: 180, maxRetryDurationSeconds: 3_600)

    public static let http = HTTPSettings(connectTimeoutMilliseconds: 3_000, requestTimeoutMilliseconds: 15_000)

    /// No message type expires unless a tenant file says so; a message's own `expiresAt` always counts.
    public static let expiry = ExpirySettings(afterSeconds: [:], expiredMessages: .deadLetter)
}
