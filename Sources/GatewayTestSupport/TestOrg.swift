import Foundation
public import GatewayCore

/// One org as a test wants it, on both sides: the sandbox's (or a scripted Genesys') client and integration, and
/// the gateway's config. Shared by the integration tests and the in-process route tests, so a test reads the same
/// in both.
public struct TestOrg: Sendable {
    public var tenant: String
    public var name: String
    public var rate: Double
    public var burst: Int
    public var breaker: TenantYAML.Breaker
    public var retry: TenantYAML.Retry
    /// The integration the gateway sends to; the sandbox only knows it when `integrationExists`.
    public var integrationExists: Bool
    /// The tenant's `enabled` flag (a disabled tenant's messages are parked).
    public var tenantEnabled: Bool
    /// The org's `messageTypes`.
    public var messageTypes: [String]
    /// The org's `expiry` block, when it has one.
    public var expiry: TenantYAML.Expiry?
    /// The tenant's `publishers` (the RabbitMQ users it takes messages from); nil takes any.
    public var tenantPublishers: [String]?
    /// The org's `http` block (CA file, client certificate, proxy), when it has one.
    public var http: TenantYAML.HTTP?

    public init(
        tenant: String, name: String, rate: Double = 1000, burst: Int = 1000,
        breaker: TenantYAML.Breaker = TenantYAML.Breaker(
            failureThresholdPercent: 50, windowSeconds: 60, minimumRequests: 20, openSeconds: 30, halfOpenProbes: 3),
        retry: TenantYAML.Retry = TenantYAML.Retry(maxAttempts: 20, baseDelayMs: 50, maxDelayMs: 500, retryAfterCapSeconds: 10),
        integrationExists: Bool = true, tenantEnabled: Bool = true, messageTypes: [String] = ["text", "media", "typing", "receipt"],
        expiry: TenantYAML.Expiry? = nil, tenantPublishers: [String]? = nil, http: TenantYAML.HTTP? = nil
    ) {
        self.tenantPublishers = tenantPublishers
        self.http = http
        self.tenant = tenant
        self.name = name
        self.rate = rate
        self.burst = burst
        self.breaker = breaker
        self.retry = retry
        self.integrationExists = integrationExists
        self.tenantEnabled = tenantEnabled
        self.messageTypes = messageTypes
        self.expiry = expiry
    }

    public var clientID: String { "\(tenant)-\(name)-client" }
    public var secret: String { "\(tenant)-\(name)-secret" }
    public var integrationID: String { "\(tenant)-\(name)-integration" }
    public var secretVariable: String { "SECRET_\(tenant)_\(name)".uppercased().replacingOccurrences(of: "-", with: "_") }
    /// The tenant's API key (one per tenant, whichever org asks).
    public var apiKey: String { "\(tenant)-api-key-0001" }
    public var apiKeyVariable: String { "APIKEY_\(tenant)".uppercased().replacingOccurrences(of: "-", with: "_") }
    public var webhookSecret: String { "\(tenant)-\(name)-webhook-secret" }
    public var webhookSecretVariable: String { "WEBHOOK_\(tenant)_\(name)".uppercased().replacingOccurrences(of: "-", with: "_") }
    /// Where the sandbox posts this org's agent messages, under the gateway's API address.
    public func webhookURL(apiBaseURL: String) -> String { "\(apiBaseURL)/webhooks/genesys/\(tenant)/\(name)" }
    public var key: OrgKey { OrgKey(tenantID: tenant, orgName: name) }

    /// The org in its tenant's file, both base URLs at `baseURL`.
    public func yaml(isDefault: Bool, baseURL: String) -> TenantYAML.Org {
        TenantYAML.Org(
            name: name, isDefault: isDefault, baseURL: baseURL, clientID: clientID, clientSecret: .env(secretVariable),
            integrationID: integrationID, webhookSecret: .env(webhookSecretVariable), messageTypes: messageTypes,
            rate: rate, burst: burst, breaker: breaker, retry: retry, expiry: expiry, http: http)
    }
}
