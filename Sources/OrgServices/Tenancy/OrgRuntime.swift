public import GatewayConfig
public import GatewayCore
import Logging
public import PluginHost
public import PluginKit

/// Everything one org needs at send time: its config, its own token store, rate limiter and circuit
/// breaker, and the plugin instances made with its tenant's settings. One org's state is never shared
/// with another's, so one org's trouble cannot slow or fail another.
public final class OrgRuntime: Sendable {
    public let key: OrgKey
    public let config: OrgConfig
    public let tokens: any TokenProviding
    public let limiter: any RateLimiting
    public let breaker: CircuitBreaker
    public let backoff: RetryBackoff
    /// Sender instances by message type, for the types this org has switched on.
    public let senders: [String: SenderInstance]
    public let policy: PolicyInstance
    /// The keys Genesys may sign this org's webhook calls with (two during a rotation); none when the org
    /// takes no webhooks.
    public let webhookSecrets: [Secret]
    /// The OAuth client id, resolved: which Genesys client the org sends as (two references may name one client).
    public let clientID: Secret

    public init(
        key: OrgKey, config: OrgConfig, tokens: any TokenProviding, limiter: any RateLimiting, breaker: CircuitBreaker,
        backoff: RetryBackoff, senders: [String: SenderInstance], policy: PolicyInstance, webhookSecrets: [Secret] = [],
        clientID: Secret
    ) {
        self.webhookSecrets = webhookSecrets
        self.clientID = clientID
        self.key = key
        self.config = config
        self.tokens = tokens
        self.limiter = limiter
        self.breaker = breaker
        self.backoff = backoff
        self.senders = senders
        self.policy = policy
    }

    /// The org context senders get.
    public var context: OrgContext {
        OrgContext(tenantID: key.tenantID, orgName: key.orgName, integrationID: config.integrationID)
    }
}
