import Logging

/// The tenants the gateway serves, each with its orgs' runtime state, built from a loaded configuration.
public final class TenantRegistry: Sendable {
    private let tenants: [String: TenantRuntime]
    /// Every loaded plugin, for telling "unknown type" from "type switched off for this org".
    public let plugins: PluginRegistry

    public init(tenants: [TenantRuntime], plugins: PluginRegistry) {
        self.tenants = Dictionary(uniqueKeysWithValues: tenants.map { ($0.config.id, $0) })
        self.plugins = plugins
    }

    public func tenant(_ id: String) -> TenantRuntime? {
        tenants[id]
    }

    public var all: [TenantRuntime] {
        tenants.values.sorted { $0.config.id < $1.config.id }
    }

    /// Builds each valid tenant's orgs: resolves secrets, makes plugin instances with the tenant's
    /// settings, and gives each org its own token store, limiter and breaker.
    ///
    /// - Parameter onBreakerTransition: told of every org's circuit state change (alerts, logs, metrics).
    public static func build(
        configuration: GatewayConfiguration, secrets: any SecretResolving, http: any HTTPClient,
        clock: any MonotonicClock, logger: Logger,
        onBreakerTransition: @escaping @Sendable (OrgKey, CircuitTransition) -> Void = { _, _ in }
    ) throws -> TenantRegistry {
        var runtimes: [TenantRuntime] = []
        for tenant in configuration.tenants {
            var orgs: [String: OrgRuntime] = [:]
            for org in tenant.orgs {
                let key = OrgKey(tenantID: tenant.id, orgName: org.name)
                orgs[org.name] = try makeOrg(
                    key: key, tenant: tenant, org: org, plugins: configuration.plugins, secrets: secrets, http: http,
                    clock: clock, logger: logger, onBreakerTransition: onBreakerTransition)
            }
            var apiKeys: [Secret] = []
            for (index, reference) in tenant.apiKeys.enumerated() {
                do {
                    apiKeys.append(try secrets.resolve(reference))
                } catch {
                    throw error.at(tenant: tenant.id, org: nil, key: "apiKeys[\(index)]")
                }
            }
            runtimes.append(TenantRuntime(config: tenant, orgs: orgs, apiKeys: apiKeys))
        }
        return TenantRegistry(tenants: runtimes, plugins: configuration.plugins)
    }

    private static func makeOrg(
        key: OrgKey, tenant: TenantConfig, org: OrgConfig, plugins: PluginRegistry, secrets: any SecretResolving,
        http: any HTTPClient, clock: any MonotonicClock, logger: Logger,
        onBreakerTransition: @escaping @Sendable (OrgKey, CircuitTransition) -> Void
    ) throws -> OrgRuntime {
        func secret(_ reference: SecretReference, _ name: String) throws -> Secret {
            do {
                return try secrets.resolve(reference)
            } catch {
                throw error.at(tenant: tenant.id, org: org.name, key: name)
            }
        }
        let credentials = OAuthTokenStore.Credentials(
            loginBaseURL: org.endpoints.loginBaseURL, clientID: try secret(org.clientID, "clientId"),
            clientSecret: try secret(org.clientSecret, "clientSecret"),
            connectTimeout: .milliseconds(org.http.connectTimeoutMilliseconds),
            totalTimeout: .milliseconds(org.http.requestTimeoutMilliseconds))
        var senders: [String: SenderInstance] = [:]
        var instancesByPlugin: [String: SenderInstance] = [:]
        for type in org.messageTypes.map(\.value) {
            guard let plugin = plugins.sender(for: type) else { continue }
            if instancesByPlugin[plugin.name] == nil {
                instancesByPlugin[plugin.name] = try plugin.makeSender(settingsJSON: tenant.pluginSettings[plugin.name] ?? "{}")
            }
            senders[type] = instancesByPlugin[plugin.name]
        }
        guard let policyPlugin = plugins.errorPolicy(named: org.errorPolicy.value) else {
            throw PluginInstanceError(plugin: org.errorPolicy.value, message: "is not a loaded error policy")
        }
        return OrgRuntime(
            key: key, config: org,
            tokens: OAuthTokenStore(org: key, credentials: credentials, http: http, clock: clock, logger: logger),
            limiter: GCRARateLimiter(
                settings: org.rateLimit, retryAfterCap: .seconds(org.retry.retryAfterCapSeconds), clock: clock),
            breaker: CircuitBreaker(settings: org.circuitBreaker, clock: clock) { transition in
                logger.warning(
                    "circuit \(transition.to.rawValue)",
                    metadata: [
                        "tenant.id": "\(key.tenantID)", "org.name": "\(key.orgName)", "circuit.from": "\(transition.from.rawValue)",
                        "reason": "\(transition.reason)",
                    ])
                onBreakerTransition(key, transition)
            },
            backoff: RetryBackoff(settings: org.retry), senders: senders,
            policy: try policyPlugin.makePolicy(settingsJSON: tenant.pluginSettings[policyPlugin.name] ?? "{}"),
            webhookSecret: try org.webhookSecret.map { try secret($0, "webhookSecret") })
    }
}
