import GatewayConfig
import GatewayCore
/// What one org's runtime was built from, secrets resolved. A reload compares the old and new inputs part by
/// part to decide which stateful pieces (token store, limiter, breaker) the org keeps.
struct OrgRuntimeInputs: Sendable {
    var config: OrgConfig
    /// Settings of the plugins the org uses (its senders and error policy), by plugin name.
    var pluginSettings: [String: String]
    var credentials: OAuthTokenStore.Credentials
    var webhookSecrets: [Secret]

    /// Nothing the runtime was built from differs: the org keeps its very runtime object.
    func isSame(as other: OrgRuntimeInputs) -> Bool {
        config.hasSameSettings(as: other.config) && pluginSettings == other.pluginSettings
            && hasSameCredentials(as: other) && webhookSecrets == other.webhookSecrets
    }

    /// The token store can stay: same login host, client id and secret, login timeouts, CAs, client certificate and
    /// proxy (the store holds them all, so a change to any needs a new store).
    func hasSameCredentials(as other: OrgRuntimeInputs) -> Bool {
        credentials.loginBaseURL == other.credentials.loginBaseURL && credentials.clientID == other.credentials.clientID
            && credentials.clientSecret == other.credentials.clientSecret
            && credentials.connectTimeout == other.credentials.connectTimeout
            && credentials.totalTimeout == other.credentials.totalTimeout
            && credentials.transport == other.credentials.transport
    }

    /// The limiter can stay: same rate, burst and Retry-After cap.
    func hasSameRateLimit(as other: OrgRuntimeInputs) -> Bool {
        config.rateLimit == other.config.rateLimit && config.retry.retryAfterCapSeconds == other.config.retry.retryAfterCapSeconds
    }

    /// The breaker can stay: same thresholds and timings.
    func hasSameCircuitBreaker(as other: OrgRuntimeInputs) -> Bool {
        config.circuitBreaker == other.config.circuitBreaker
    }
}
