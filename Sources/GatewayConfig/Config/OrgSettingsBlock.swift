/// The tunable per-org settings, read field by field over a base: built-in defaults, then the tenant's
/// `defaults:` block, then the org's own blocks.
struct OrgSettingsBlock {
    var rateLimit: RateLimitSettings
    var circuitBreaker: CircuitBreakerSettings
    var retry: RetrySettings
    var http: HTTPSettings
    var expiry: ExpirySettings

    static let defaults = OrgSettingsBlock(
        rateLimit: ConfigDefaults.rateLimit, circuitBreaker: ConfigDefaults.circuitBreaker,
        retry: ConfigDefaults.retry, http: ConfigDefaults.http, expiry: ConfigDefaults.expiry)

    static let rateLimitKeys = ["messagesPerSecond", "burst"]
    static let circuitBreakerKeys = [
        "failureThresholdPercent", "windowSeconds", "minimumRequests", "openSeconds", "maxOpenSeconds", "halfOpenProbes",
    ]
    static let retryKeys = [
        "maxAttempts", "baseDelayMs", "maxDelayMs", "retryAfterCapSeconds", "maxRetryDurationSeconds",
    ]
    static let httpKeys = ["connectTimeoutMs", "requestTimeoutMs"] + HTTPTransportBlock.keys

    /// Reads the `rateLimit`, `circuitBreaker`, `retry`, `http` and `expiry` blocks of `reader` over `base`.
    /// - Parameter localFiles: whether `http` may name files on this machine (``HTTPTransportBlock``).
    static func read(_ reader: MappingReader, over base: OrgSettingsBlock, localFiles: LiteralSecretPolicy) -> OrgSettingsBlock {
        var block = base
        if let limit = reader.mapping("rateLimit", knownKeys: rateLimitKeys) {
            block.rateLimit.messagesPerSecond = limit.positiveNumber("messagesPerSecond", maximum: 100_000)
                ?? block.rateLimit.messagesPerSecond
            block.rateLimit.burst = limit.int("burst", in: 1...100_000) ?? block.rateLimit.burst
        }
        if let breaker = reader.mapping("circuitBreaker", knownKeys: circuitBreakerKeys) {
            var settings = block.circuitBreaker
            settings.failureThresholdPercent = breaker.positiveNumber("failureThresholdPercent", maximum: 100)
                ?? settings.failureThresholdPercent
            settings.windowSeconds = breaker.int("windowSeconds", in: 1...3_600) ?? settings.windowSeconds
            settings.minimumRequests = breaker.int("minimumRequests", in: 1...1_000_000) ?? settings.minimumRequests
            settings.openSeconds = breaker.int("openSeconds", in: 1...86_400) ?? settings.openSeconds
            settings.maxOpenSeconds = breaker.int("maxOpenSeconds", in: 1...86_400) ?? settings.maxOpenSeconds
            settings.halfOpenProbes = breaker.int("halfOpenProbes", in: 1...1_000) ?? settings.halfOpenProbes
            if settings.maxOpenSeconds < settings.openSeconds {
                reader.diagnostics.report(
                    "'maxOpenSeconds' (\(settings.maxOpenSeconds)) must not be less than 'openSeconds' (\(settings.openSeconds))",
                    at: breaker.mark)
            }
            block.circuitBreaker = settings
        }
        if let retry = reader.mapping("retry", knownKeys: retryKeys) {
            var settings = block.retry
            settings.maxAttempts = retry.int("maxAttempts", in: 1...1_000) ?? settings.maxAttempts
            settings.baseDelayMilliseconds = retry.int("baseDelayMs", in: 1...3_600_000) ?? settings.baseDelayMilliseconds
            settings.maxDelayMilliseconds = retry.int("maxDelayMs", in: 1...86_400_000) ?? settings.maxDelayMilliseconds
            settings.retryAfterCapSeconds = retry.int("retryAfterCapSeconds", in: 1...86_400) ?? settings.retryAfterCapSeconds
            settings.maxRetryDurationSeconds = retry.int("maxRetryDurationSeconds", in: 1...604_800)
                ?? settings.maxRetryDurationSeconds
            if settings.maxDelayMilliseconds < settings.baseDelayMilliseconds {
                reader.diagnostics.report(
                    "'maxDelayMs' (\(settings.maxDelayMilliseconds)) must not be less than 'baseDelayMs' (\(settings.baseDelayMilliseconds))",
                    at: retry.mark)
            }
            block.retry = settings
        }
        if let http = reader.mapping("http", knownKeys: httpKeys) {
            block.http.connectTimeoutMilliseconds = http.int("connectTimeoutMs", in: 1...600_000)
                ?? block.http.connectTimeoutMilliseconds
            block.http.requestTimeoutMilliseconds = http.int("requestTimeoutMs", in: 1...600_000)
                ?? block.http.requestTimeoutMilliseconds
            block.http.transport = HTTPTransportBlock.read(http, over: block.http.transport, localFiles: localFiles)
        }
        if let expiry = reader.mapping("expiry", knownKeys: ExpirySettings.keys) {
            block.expiry = ExpirySettings.read(expiry, over: block.expiry)
        }
        return block
    }
}
