import GatewayConfig
import GatewayCore
import Logging
import PluginHost

/// Builds tenants' runtime state from their configs; at a reload it rebuilds only what changed.
///
/// Reuse rules, org by org (an org is matched by tenant id and org name):
/// - config, plugin settings and resolved secrets all unchanged → the very same ``OrgRuntime`` object;
/// - otherwise a new ``OrgRuntime`` (new plugin instances, new config) that still takes over the old token
///   store, limiter and breaker whose own inputs did not change. A changed part is replaced, not adjusted:
///   a new limiter starts with a full burst and forgets a 429 slow-down, a new breaker starts closed, a new
///   token store logs in with the new credentials on first use.
///
/// Messages already sending hold the old runtime and finish on it; the old parts go away with the last of them.
struct TenantRuntimeFactory: Sendable {
    let plugins: PluginRegistry
    let secrets: any SecretResolving
    /// Makes each org's token provider and limiter (in-memory, or shared through Redis).
    let orgState: any OrgStateMaking
    let clock: any MonotonicClock
    let logger: Logger
    let onBreakerTransition: @Sendable (OrgKey, CircuitTransition) -> Void

    /// One tenant built: its registry entry, whether nothing changed, and what changed per org.
    struct Rebuild {
        var entry: TenantRegistry.Entry
        var isUnchanged: Bool
        /// Only the org lists are filled in.
        var orgChanges: TenantRegistryChanges
    }

    /// Builds `tenant`, reusing what it can of `previous` (the same tenant id's current entry).
    func makeTenant(_ tenant: TenantConfig, previous: TenantRegistry.Entry?) throws -> Rebuild {
        var apiKeys: [Secret] = []
        for (index, reference) in tenant.apiKeys.enumerated() {
            do {
                apiKeys.append(try secrets.resolve(reference))
            } catch {
                throw error.at(tenant: tenant.id, org: nil, key: "apiKeys[\(index)]")
            }
        }
        var orgs: [String: OrgRuntime] = [:]
        var inputs: [String: OrgRuntimeInputs] = [:]
        var changes = TenantRegistryChanges()
        var allOrgsKept = true
        for org in tenant.orgs {
            let key = OrgKey(tenantID: tenant.id, orgName: org.name)
            let orgInputs = try resolveInputs(tenant: tenant, org: org)
            inputs[org.name] = orgInputs
            let old = previous.flatMap { entry in
                entry.inputs[org.name].flatMap { inputs in entry.runtime.orgs[org.name].map { ($0, inputs) } }
            }
            guard let (oldRuntime, oldInputs) = old else {
                if previous != nil { changes.orgsAdded.append(key) }
                orgs[org.name] = try makeOrg(key: key, tenant: tenant, inputs: orgInputs, reusing: nil)
                allOrgsKept = false
                continue
            }
            if orgInputs.isSame(as: oldInputs) {
                orgs[org.name] = oldRuntime
                continue
            }
            allOrgsKept = false
            let reused = Reused(
                tokens: orgInputs.hasSameCredentials(as: oldInputs) ? oldRuntime.tokens : nil,
                limiter: orgInputs.hasSameRateLimit(as: oldInputs) ? oldRuntime.limiter : nil,
                breaker: orgInputs.hasSameCircuitBreaker(as: oldInputs) ? oldRuntime.breaker : nil)
            if reused.tokens == nil { changes.orgsWithNewCredentials.append(key) }
            if reused.limiter == nil { changes.orgsWithNewRateLimiter.append(key) }
            if reused.breaker == nil { changes.orgsWithNewCircuitBreaker.append(key) }
            orgs[org.name] = try makeOrg(key: key, tenant: tenant, inputs: orgInputs, reusing: reused)
        }
        if let previous {
            let gone = previous.runtime.orgs.keys.filter { orgs[$0] == nil }.sorted()
            changes.orgsRemoved = gone.map { OrgKey(tenantID: tenant.id, orgName: $0) }
        }
        let isUnchanged = previous.map { previous in
            allOrgsKept && changes.orgsRemoved.isEmpty && apiKeys == previous.runtime.apiKeys
                && tenant.hasSameSettings(as: previous.runtime.config)
        } ?? false
        // An unchanged tenant read from the same file keeps its runtime object too; from another file (renamed)
        // it gets a new one that names the new file, around the same orgs.
        let runtime: TenantRuntime
        if isUnchanged, let previous, previous.runtime.config == tenant {
            runtime = previous.runtime
        } else {
            runtime = TenantRuntime(config: tenant, orgs: orgs, apiKeys: apiKeys)
        }
        return Rebuild(
            entry: TenantRegistry.Entry(runtime: runtime, inputs: inputs), isUnchanged: isUnchanged, orgChanges: changes)
    }

    /// The stateful parts taken over from an org's previous runtime; nil parts are made anew.
    private struct Reused {
        var tokens: (any TokenProviding)?
        var limiter: (any RateLimiting)?
        var breaker: CircuitBreaker?
    }

    private func resolveInputs(tenant: TenantConfig, org: OrgConfig) throws -> OrgRuntimeInputs {
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
            totalTimeout: .milliseconds(org.http.requestTimeoutMilliseconds), transport: org.http.transport)
        let usedPlugins = org.messageTypes.compactMap { plugins.sender(for: $0.value)?.name } + [org.errorPolicy.value]
        var settings: [String: String] = [:]
        for name in usedPlugins { settings[name] = tenant.pluginSettings[name] }
        return OrgRuntimeInputs(
            config: org, pluginSettings: settings, credentials: credentials,
            webhookSecrets: try org.webhookSecrets.map { try secret($0, "webhookSecret") })
    }

    private func makeOrg(key: OrgKey, tenant: TenantConfig, inputs: OrgRuntimeInputs, reusing reused: Reused?) throws -> OrgRuntime {
        let org = inputs.config
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
            tokens: reused?.tokens ?? orgState.tokens(for: key, credentials: inputs.credentials),
            limiter: reused?.limiter
                ?? orgState.limiter(for: key, settings: org.rateLimit, retryAfterCap: .seconds(org.retry.retryAfterCapSeconds)),
            breaker: reused?.breaker ?? makeBreaker(key: key, settings: org.circuitBreaker),
            backoff: RetryBackoff(settings: org.retry), senders: senders,
            policy: try policyPlugin.makePolicy(settingsJSON: tenant.pluginSettings[policyPlugin.name] ?? "{}"),
            webhookSecrets: inputs.webhookSecrets, clientID: inputs.credentials.clientID)
    }

    private func makeBreaker(key: OrgKey, settings: CircuitBreakerSettings) -> CircuitBreaker {
        let logger = logger
        let onBreakerTransition = onBreakerTransition
        return CircuitBreaker(settings: settings, clock: clock) { transition in
            logger.warning(
                "circuit \(transition.to.rawValue)",
                metadata: [
                    "tenant.id": "\(key.tenantID)", "org.name": "\(key.orgName)", "circuit.from": "\(transition.from.rawValue)",
                    "reason": "\(transition.reason)",
                ])
            onBreakerTransition(key, transition)
        }
    }
}
