import Foundation
import GatewayTestSupport
import GenesysSandbox
import GatewayCore
import CurlHTTP
import GatewayConfig
import OrgServices
import GatewayDelivery
import Logging

/// The gateway's delivery core wired to a real sandbox on 127.0.0.1, with real plugins and libcurl.
struct GatewayHarness: Sendable {
    let sandbox: RunningSandbox
    let delivery: DeliveryService
    let registry: TenantRegistry
    let http: CountingHTTPClient
    let clock: GatewayCore.SystemClock

    /// Starts a sandbox for `orgs`, writes tenant YAML for them, loads plugins and tenants, runs `body`.
    static func run<T: Sendable>(
        orgs: [TestOrg], tokenLifetimeSeconds: Int = 86400, sandboxRatePerMinute: Int = 1_000_000,
        onBreakerTransition: @escaping @Sendable (OrgKey, CircuitTransition) -> Void = { _, _ in },
        _ body: @Sendable (GatewayHarness) async throws -> T
    ) async throws -> T {
        let logger = Logger.quiet("integration")
        return try await withSandbox(
            orgs: orgs, tokenLifetimeSeconds: tokenLifetimeSeconds, sandboxRatePerMinute: sandboxRatePerMinute, logger: logger
        ) { setup in
            let (sandbox, configuration, secrets) = (setup.sandbox, setup.configuration, setup.secrets)
            let curl = CurlHTTPClient()
            let http = CountingHTTPClient(wrapping: curl)
            let clock = GatewayCore.SystemClock()
            let registry = try TenantRegistry.build(
                configuration: configuration, secrets: secrets, http: http, clock: clock, logger: logger,
                onBreakerTransition: onBreakerTransition)
            let harness = GatewayHarness(
                sandbox: sandbox, delivery: DeliveryService(registry: registry, http: http, clock: clock, logger: logger),
                registry: registry, http: http, clock: clock)
            do {
                let result = try await body(harness)
                await curl.shutdown()
                return result
            } catch {
                await curl.shutdown()
                throw error
            }
        }
    }

    /// A running sandbox and the gateway config pointing at it.
    struct SandboxSetup: Sendable {
        var sandbox: RunningSandbox
        var configuration: GatewayConfiguration
        var secrets: SecretResolver
        /// The tenant YAML files and the staged plugins, for a gateway run as its own process.
        var configDirectory: String
        var pluginsDirectory: String
        var environment: [String: String]
    }

    /// Starts a sandbox for `orgs`, writes tenant YAML for them and loads plugins and tenants; runs `body`
    /// with the sandbox, the loaded configuration and the secrets the YAML refers to.
    /// - Parameters:
    ///   - webhooksTo: the gateway API's base URL, when the sandbox should post agent messages to its webhook.
    ///   - sandboxTLS: the sandbox serves HTTPS with these files (the tenant files then name `https://` URLs).
    ///   - webhookCAFile: the CAs the sandbox trusts for an `https://` webhook (`--webhook-ca-file`); nil: the system's.
    static func withSandbox<T: Sendable>(
        orgs: [TestOrg], tokenLifetimeSeconds: Int = 86400, sandboxRatePerMinute: Int = 1_000_000, webhooksTo: String? = nil,
        webhookRetryIntervalMilliseconds: Int = 5000, webhookTimeoutMilliseconds: Int = 10_000, webhookCAFile: String? = nil,
        sandboxTLS: SandboxTLS? = nil, logger: Logger,
        _ body: @Sendable (SandboxSetup) async throws -> T
    ) async throws -> T {
        let sandboxConfiguration = SandboxConfiguration(
            port: 0,
            orgs: Dictionary(grouping: orgs, by: \.tenant).map { tenant, tenantOrgs in
                SandboxConfiguration.Org(
                    id: tenant,
                    clients: tenantOrgs.map { .init(id: $0.clientID, secret: $0.secret, tokenLifetimeSeconds: tokenLifetimeSeconds) },
                    integrations: tenantOrgs.filter(\.integrationExists).map { org in
                        .init(
                            id: org.integrationID, outboundNotificationWebhookUrl: webhooksTo.map { org.webhookURL(apiBaseURL: $0) },
                            webhookSecret: webhooksTo.map { _ in org.webhookSecret })
                    })
            },
            defaultTokenLifetimeSeconds: tokenLifetimeSeconds, defaultRatePerMinute: sandboxRatePerMinute,
            webhook: .init(
                retries: 5, retryIntervalMilliseconds: webhookRetryIntervalMilliseconds, timeoutMilliseconds: webhookTimeoutMilliseconds,
                caFile: webhookCAFile),
            tls: sandboxTLS)
        return try await SandboxServer.withRunning(sandboxConfiguration, logger: logger) { sandbox in
            let configs = TemporaryDirectory()
            for (tenant, tenantOrgs) in Dictionary(grouping: orgs, by: \.tenant) {
                configs.write("\(tenant).yaml", yaml(tenant: tenant, orgs: tenantOrgs, baseURL: sandbox.baseURL).text)
            }
            let plugins = BuiltPlugins.directory(with: BuiltPlugins.shipped)
            var environment = Dictionary(
                orgs.flatMap { [($0.secretVariable, $0.secret), ($0.apiKeyVariable, $0.apiKey), ($0.webhookSecretVariable, $0.webhookSecret)] },
                uniquingKeysWith: { first, _ in first })
            // Gateway processes started with this environment run as a single process unless a test passes
            // --redis-url: the test command exports GGW_REDIS_URL for the Redis tests, and an empty value unsets it.
            environment["GGW_REDIS_URL"] = ""
            let secrets = SecretResolver(environment: environment)
            let configuration = GatewayConfiguration.load(
                configDirectory: configs.path, pluginsDirectory: plugins.path, secrets: secrets, genesysHosts: .testHosts, logger: logger)
            guard configuration.isValid else {
                throw HarnessError(message: "test config invalid: \(configuration.configErrors) \(configuration.pluginErrors)")
            }
            return try await body(SandboxSetup(
                sandbox: sandbox, configuration: configuration, secrets: secrets, configDirectory: configs.path,
                pluginsDirectory: plugins.path, environment: environment))
        }
    }

    /// The tenant file of `orgs` (all of one tenant; the first is the default org, the first's API key the tenant's).
    static func yaml(tenant: String, orgs: [TestOrg], baseURL: String) -> TenantYAML {
        TenantYAML(
            id: tenant, enabled: orgs.allSatisfy(\.tenantEnabled), apiKeys: [.env(orgs[0].apiKeyVariable)],
            publishers: orgs[0].tenantPublishers,
            orgs: orgs.enumerated().map { index, org in org.yaml(isDefault: index == 0, baseURL: baseURL) })
    }

    struct HarnessError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// A text message for `org`, from customer `customer`.
    static func textMessage(id: String, org: TestOrg, customer: String = "+15550001", text: String = "hello", createdAt: String = "2026-11-25T10:00:00Z") -> [UInt8] {
        Array(#"{"id":"\#(id)","tenantId":"\#(org.tenant)","org":"\#(org.name)","type":"text","textBody":"\#(text)","sender":{"id":"\#(customer)","idType":"Phone"},"createdAt":"\#(createdAt)"}"#.utf8)
    }

    /// Delivers a message the way the queue will: retrying after each retry outcome (in real time) until
    /// it is delivered, dead-lettered or parked, or `deadline` passes.
    func deliverUntilSettled(_ bytes: [UInt8], deadline: Duration = .seconds(30)) async -> DeliveryOutcome {
        var request = DeliveryRequest(bytes: bytes, attempt: 1, firstAttemptAt: clock.now())
        let giveUp = clock.now() + deadline
        while true {
            let outcome = await delivery.deliver(request)
            let after: Duration
            switch outcome {
            case .retry(let delay, _, _):
                after = delay
                request.attempt += 1
            case .throttled(let delay, _, _):
                after = delay
            case .notSent(let refusal):
                after = refusal.retryAfter
            case .delivered, .alreadyDelivered, .deadLetter, .parked, .expired:
                return outcome
            }
            guard clock.now() + after < giveUp else { return outcome }
            try? await Task.sleep(for: after)
        }
    }
}
