public import GatewayConfig
public import GatewayCore
public import Logging
public import PluginHost
import Synchronization

/// The tenants the gateway serves, each with its orgs' runtime state, built from a loaded configuration and
/// replaced, tenant by tenant, when configs are reloaded.
///
/// Readers get one consistent snapshot per call: a ``TenantRuntime`` and its orgs never change after they are
/// built, and a reload swaps the whole tenant table at once, so nobody sees a half-applied reload. A message
/// already sending keeps the runtime it looked up and finishes on it.
public final class TenantRegistry: Sendable {
    /// Every loaded plugin, for telling "unknown type" from "type switched off for this org". Plugins are
    /// loaded once at start and never reloaded.
    public let plugins: PluginRegistry
    private let tenants: Mutex<[String: Entry]>
    /// How to build orgs at a reload; nil for a registry made from ready-made runtimes.
    private let factory: TenantRuntimeFactory?
    /// Held for a whole ``apply(_:keeping:)`` so two applies never interleave (readers only take `tenants`).
    private let applying = Mutex(())

    /// A tenant in force, with what its orgs were built from (to tell at a reload what changed).
    struct Entry: Sendable {
        var runtime: TenantRuntime
        var inputs: [String: OrgRuntimeInputs]
    }

    /// A registry of ready-made tenants. It serves them as they are and cannot rebuild them: an
    /// ``apply(_:keeping:)`` on it keeps every tenant and reports each one given as a failure.
    public convenience init(tenants: [TenantRuntime], plugins: PluginRegistry) {
        self.init(
            entries: tenants.map { Entry(runtime: $0, inputs: [:]) }, plugins: plugins, factory: nil)
    }

    private init(entries: [Entry], plugins: PluginRegistry, factory: TenantRuntimeFactory?) {
        self.tenants = Mutex(Dictionary(uniqueKeysWithValues: entries.map { ($0.runtime.config.id, $0) }))
        self.plugins = plugins
        self.factory = factory
    }

    /// The tenant with `id` as it is in force now.
    public func tenant(_ id: String) -> TenantRuntime? {
        tenants.withLock { $0[id]?.runtime }
    }

    /// Whether `org` is configured now: a per-message check, so it copies no runtime out of the table.
    public func hasOrg(_ org: OrgKey) -> Bool {
        tenants.withLock { $0[org.tenantID]?.runtime.orgs[org.orgName] != nil }
    }

    /// Every tenant in force, by id, all from the same reload.
    public var all: [TenantRuntime] {
        tenants.withLock { $0.values.map(\.runtime) }.sorted { $0.config.id < $1.config.id }
    }

    /// Whether a tenant other than `org`'s sends through the same Genesys org: the same API host and OAuth client,
    /// compared as resolved (`env:A` and `file:/b` may hold one client id). Genesys cannot tell such tenants apart.
    public func sharesGenesysOrg(_ org: OrgRuntime) -> Bool {
        all.contains { tenant in
            tenant.config.id != org.key.tenantID
                && tenant.orgs.values.contains {
                    $0.config.endpoints.apiBaseURL == org.config.endpoints.apiBaseURL && $0.clientID == org.clientID
                }
        }
    }

    /// Builds each valid tenant's orgs: resolves secrets, makes plugin instances with the tenant's
    /// settings, and gives each org its own token store, limiter and breaker. The registry keeps what it
    /// was given here to build orgs again at a reload.
    ///
    /// - Parameters:
    ///   - orgState: makes each org's token provider and limiter; nil for this process's own
    ///     (``LocalOrgState``), a ``SharedOrgState`` in shared mode.
    ///   - onBreakerTransition: told of every org's circuit state change (alerts, logs, metrics), also for orgs
    ///     built at a reload.
    public static func build(
        configuration: GatewayConfiguration, secrets: any SecretResolving, http: any HTTPClient,
        clock: any MonotonicClock, logger: Logger, orgState: (any OrgStateMaking)? = nil,
        onBreakerTransition: @escaping @Sendable (OrgKey, CircuitTransition) -> Void = { _, _ in }
    ) throws -> TenantRegistry {
        let factory = TenantRuntimeFactory(
            plugins: configuration.plugins, secrets: secrets,
            orgState: orgState ?? LocalOrgState(http: http, clock: clock, logger: logger), clock: clock, logger: logger,
            onBreakerTransition: onBreakerTransition)
        let entries = try configuration.tenants.map { try factory.makeTenant($0, previous: nil).entry }
        return TenantRegistry(entries: entries, plugins: configuration.plugins, factory: factory)
    }

    /// Puts `configs` in force in place of the current tenants, reusing every org's runtime, token store,
    /// limiter and breaker whose inputs did not change (see ``TenantRuntimeFactory`` for the rules).
    ///
    /// Tenants named in `keeping` stay exactly as they are (their file failed to load, say). A tenant that is
    /// neither given nor kept is removed. A tenant that cannot be built keeps its previous version, if any.
    /// The new table replaces the old one in one step, after every tenant is built.
    public func apply(_ configs: [TenantConfig], keeping: Set<String>) -> TenantRegistryChanges {
        applying.withLock { _ in
            let before = tenants.withLock { $0 }
            var after = before.filter { keeping.contains($0.key) }
            var changes = TenantRegistryChanges()
            for config in configs {
                let previous = before[config.id]
                do {
                    guard let factory else { throw NotRebuildable() }
                    let rebuild = try factory.makeTenant(config, previous: previous)
                    after[config.id] = rebuild.entry
                    if previous == nil {
                        changes.added.append(config.id)
                    } else if rebuild.isUnchanged {
                        changes.unchanged.append(config.id)
                    } else {
                        changes.updated.append(config.id)
                    }
                    changes.merge(orgs: rebuild.orgChanges)
                } catch {
                    if let previous { after[config.id] = previous }
                    changes.failures.append(TenantBuildFailure(
                        tenantID: config.id,
                        error: ConfigError(path: config.source.path, mark: config.source.tenantMark, message: "\(error)"),
                        keptPreviousVersion: previous != nil))
                }
            }
            changes.removed = before.keys.filter { after[$0] == nil }.sorted()
            tenants.withLock { $0 = after }
            return changes
        }
    }

    private struct NotRebuildable: Error, CustomStringConvertible {
        var description: String { "this registry was made from ready-made tenants and cannot build new ones" }
    }
}

extension TenantRegistryChanges {
    fileprivate mutating func merge(orgs other: TenantRegistryChanges) {
        orgsAdded += other.orgsAdded
        orgsRemoved += other.orgsRemoved
        orgsWithNewCredentials += other.orgsWithNewCredentials
        orgsWithNewRateLimiter += other.orgsWithNewRateLimiter
        orgsWithNewCircuitBreaker += other.orgsWithNewCircuitBreaker
    }
}
