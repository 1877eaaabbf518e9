import Foundation
import GatewayCore
import CurlHTTP
import GatewayConfig
import OrgServices
import GatewayDelivery
import GatewayTestSupport
import GenesysSandbox
import Logging

/// The gateway's delivery core as production builds it — shipped plugins loaded with `dlopen`, tenant
/// YAML read from disk, one `CurlHTTPClient`, the system clock — pointed at a running sandbox.
///
/// Two timing decorators are the only difference from production: every org's rate limiter is wrapped in
/// a ``TimedRateLimiter`` and the delivery core's HTTP client in a ``TimedHTTPClient`` (unless probes are
/// off). Token requests go straight to libcurl. Not `Sendable` (it owns the temporary folders): hand
/// ``delivery`` and ``clock`` to other tasks.
struct GatewayUnderTest {
    let delivery: DeliveryService
    let registry: TenantRegistry
    let clock: GatewayCore.SystemClock
    /// Stopped by ``shutdown()``.
    private let curl: CurlHTTPClient
    /// The tenant and plugin folders, kept while the gateway runs (removed when released).
    private let folders: [TemporaryDirectory]

    /// The benchmark's gateway could not be set up (invalid config, a warm-up message not delivered).
    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    /// The sandbox for `orgs`: loopback, a free port, per-client limits far above the benchmark's rates
    /// (so it never answers 429) and tokens that outlive the run.
    static func sandboxConfiguration(for orgs: [BenchmarkOrg]) -> SandboxConfiguration {
        let ratePerMinute = 100_000_000
        return SandboxConfiguration(
            host: "127.0.0.1", port: 0,
            orgs: orgs.map { $0.sandboxOrg(tokenLifetimeSeconds: 86_400, ratePerMinute: ratePerMinute) },
            defaultTokenLifetimeSeconds: 86_400, defaultRatePerMinute: ratePerMinute)
    }

    /// Writes the tenant files, loads plugins and tenants, builds the registry and the delivery service.
    static func start(orgs: [BenchmarkOrg], sandbox: RunningSandbox, probes: Bool, logger: Logger) throws -> GatewayUnderTest {
        let configs = TemporaryDirectory()
        for org in orgs {
            configs.write("\(org.tenant).yaml", org.tenantYAML(baseURL: sandbox.baseURL))
        }
        let plugins = BuiltPlugins.directory(with: BuiltPlugins.shipped)
        let secrets = SecretResolver(
            environment: Dictionary(uniqueKeysWithValues: orgs.map { ($0.secretVariable, $0.secret) }))
        let configuration = GatewayConfiguration.load(
            configDirectory: configs.path, pluginsDirectory: plugins.path, secrets: secrets, genesysHosts: .testHosts, logger: logger)
        guard configuration.isValid, configuration.tenants.count == orgs.count else {
            let problems = configuration.configErrors.map(\.description) + configuration.pluginErrors.map(\.description)
            throw SetupError(description: "benchmark configuration invalid: " + problems.joined(separator: "; "))
        }
        let curl = CurlHTTPClient()
        let clock = GatewayCore.SystemClock()
        let built = try TenantRegistry.build(
            configuration: configuration, secrets: secrets, http: curl, clock: clock, logger: logger)
        let registry = probes ? withTimedLimiters(built, clock: clock) : built
        let http: any HTTPClient = probes ? TimedHTTPClient(base: curl, clock: clock) : curl
        return GatewayUnderTest(
            delivery: DeliveryService(registry: registry, http: http, clock: clock, logger: logger),
            registry: registry, clock: clock, curl: curl, folders: [configs, plugins])
    }

    /// The same tenants and orgs, each org's limiter wrapped in a ``TimedRateLimiter``.
    private static func withTimedLimiters(_ registry: TenantRegistry, clock: any MonotonicClock) -> TenantRegistry {
        let tenants = registry.all.map { tenant in
            TenantRuntime(config: tenant.config, orgs: tenant.orgs.mapValues { org in
                OrgRuntime(
                    key: org.key, config: org.config, tokens: org.tokens,
                    limiter: TimedRateLimiter(base: org.limiter, clock: clock), breaker: org.breaker,
                    backoff: org.backoff, senders: org.senders, policy: org.policy, webhookSecrets: org.webhookSecrets,
                    clientID: org.clientID)
            })
        }
        return TenantRegistry(tenants: tenants, plugins: registry.plugins)
    }

    /// Gets every org its OAuth token before the measured run, so no message pays for a login.
    func fetchTokens() async throws {
        for tenant in registry.all {
            for org in tenant.orgs.values {
                _ = try await org.tokens.token()
            }
        }
    }

    /// Stops libcurl's event loop.
    func shutdown() async {
        await curl.shutdown()
    }
}
