public import GatewayCore
public import GatewayYAML
/// One tenant, as read from its YAML file.
public struct TenantConfig: Sendable, Equatable {
    public var id: String
    public var displayName: String
    public var enabled: Bool
    /// API keys for the gateway's HTTP API, by reference.
    public var apiKeys: [SecretReference]
    /// The RabbitMQ users that may publish this tenant's messages (the AMQP `user_id` property, which RabbitMQ
    /// checks against the publishing connection); nil takes any publisher. See ``publisherRefusal(userID:gatewayUser:)``.
    public var publishers: [String]?
    /// Settings handed to plugin instances, by plugin name, as JSON objects.
    public var pluginSettings: [String: String]
    public var orgs: [OrgConfig]
    /// Where the tenant was read from, for error messages.
    public var source: ConfigSource

    /// The org used when a message or request names none.
    public var defaultOrg: OrgConfig? {
        orgs.first(where: \.isDefault) ?? (orgs.count == 1 ? orgs.first : nil)
    }

    public func org(named name: String) -> OrgConfig? {
        orgs.first { $0.name == name }
    }

    /// Why a queued message published by `userID` is not taken for this tenant, or nil when it is: with
    /// ``publishers`` set, only those users and the gateway itself (`gatewayUser`: its copies in org queues and
    /// retry tiers, and the messages its API accepted) publish for the tenant. RabbitMQ refuses a publish whose
    /// `user_id` is not its connection's user, so the property cannot be forged; a message without one is refused.
    public func publisherRefusal(userID: String?, gatewayUser: String?) -> String? {
        guard let publishers else { return nil }
        guard let userID else {
            return "publisher refused: the message has no user_id, and tenant '\(id)' takes messages only from its publishers"
        }
        if publishers.contains(userID) || userID == gatewayUser { return nil }
        return "publisher refused: RabbitMQ user '\(userID)' is not one of tenant '\(id)''s publishers"
    }
}

/// One Genesys Cloud organization a tenant sends to.
public struct OrgConfig: Sendable, Equatable {
    public var name: String
    /// Where the org's entry starts, for errors about it as a whole.
    public var mark: SourceMark?
    public var isDefault: Bool
    public var endpoints: GenesysEndpoints
    public var clientID: SecretReference
    public var clientSecret: SecretReference
    public var integrationID: String
    /// The keys Genesys may sign this org's webhook calls with: one, or two while a rotation is under way
    /// (the new one first); empty when the org takes no webhooks.
    public var webhookSecrets: [SecretReference]
    public var messageTypes: [Located<String>]
    public var errorPolicy: Located<String>
    public var rateLimit: RateLimitSettings
    public var circuitBreaker: CircuitBreakerSettings
    public var retry: RetrySettings
    public var http: HTTPSettings
    public var expiry: ExpirySettings
}

/// A value with the place in its file it came from, so later checks (unknown plugin) can point at it.
public struct Located<Value: Sendable & Equatable>: Sendable, Equatable {
    public var value: Value
    public var mark: SourceMark

    public init(_ value: Value, at mark: SourceMark) {
        self.value = value
        self.mark = mark
    }
}

/// Where a tenant came from: a file, or the tenant service (path `tenant-service:<tenant>`).
public struct ConfigSource: Sendable, Equatable {
    /// Which of the two sources of tenants.
    public enum Origin: String, Sendable, Equatable {
        case file
        case tenantService
    }

    public var path: String
    /// Where the tenant's `id` is written, for errors about the tenant as a whole.
    public var idMark: SourceMark?
    public var origin: Origin

    public init(path: String, idMark: SourceMark? = nil, origin: Origin = .file) {
        self.path = path
        self.idMark = idMark
        self.origin = origin
    }

    /// Where errors about the tenant as a whole point: its id's line in a file; nowhere further in a tenant
    /// from the service, whose path already names it.
    public var tenantMark: SourceMark? {
        origin == .file ? idMark : nil
    }
}

/// Messages per second with a burst allowance.
public struct RateLimitSettings: Sendable, Equatable {
    public var messagesPerSecond: Double
    public var burst: Int

    package init(messagesPerSecond: Double, burst: Int) {
        self.messagesPerSecond = messagesPerSecond
        self.burst = burst
    }
}

/// When an org's circuit opens and how it recovers.
public struct CircuitBreakerSettings: Sendable, Equatable {
    public var failureThresholdPercent: Double
    public var windowSeconds: Int
    public var minimumRequests: Int
    public var openSeconds: Int
    public var maxOpenSeconds: Int
    public var halfOpenProbes: Int
}

/// How often and how long a message is retried.
public struct RetrySettings: Sendable, Equatable {
    public var maxAttempts: Int
    public var baseDelayMilliseconds: Int
    public var maxDelayMilliseconds: Int
    public var retryAfterCapSeconds: Int
    public var maxRetryDurationSeconds: Int
}

/// Timeouts, CAs, client certificate and proxy for calls to Genesys and its login host.
public struct HTTPSettings: Sendable, Equatable {
    public var connectTimeoutMilliseconds: Int
    public var requestTimeoutMilliseconds: Int
    /// `caFile`, `clientCertFile`, `clientKeyFile`, `proxy`: over the gateway's own (`run --http-…`) for this org's
    /// calls; empty when the org sets none.
    public var transport = HTTPTransportSettings()
}
