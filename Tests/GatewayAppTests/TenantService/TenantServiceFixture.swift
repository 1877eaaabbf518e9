import Foundation
import GatewayTestSupport
import Logging
@testable import GatewayCore
@testable import CurlHTTP
@testable import GatewayConfig
@testable import OrgServices
@testable import Telemetry
@testable import GatewayApp

/// A config directory and a tenant service (a real HTTP server), loaded as `run` loads them at start, with the
/// reloader and the poller on a manual clock.
final class TenantServiceFixture {
    let configs = TemporaryDirectory()
    let plugins = BuiltPlugins.directory(with: BuiltPlugins.shipped)
    let clock = ManualClock()
    let secrets = SecretResolver(environment: [
        "KEY_ACME": "k-acme", "KEY_BETA": "k-beta", "KEY_GAMMA": "k-gamma", "SECRET": "s", "SERVICE_TOKEN": "service-token-1",
    ])
    private let http = CurlHTTPClient(maxConnectionsPerHost: 2)
    let source: TenantServiceSource
    let configuration: GatewayConfiguration
    let registry: TenantRegistry
    let reloader: ConfigReloader
    let poller: TenantServicePoller
    let metrics: GatewayMetrics

    /// - Parameters:
    ///   - files: tenant files by name, in the config directory at start.
    ///   - url: the tenant service's document.
    ///   - allowsReferences: `--tenant-service-allow-references` (on: most tests' tenants name `env:` secrets).
    init(files: [String: String], url: String, token: SecretReference? = nil, allowsReferences: Bool = true) async throws {
        for (name, text) in files { configs.write(name, text) }
        let logger = Logger(label: "test")
        source = TenantServiceSource(
            settings: TenantServiceSettings(url: url, token: token, pollInterval: .seconds(30), allowsReferences: allowsReferences),
            http: http, secrets: secrets, clock: clock)
        await source.fetchAtStart(logger: logger)
        configuration = GatewayConfiguration.load(
            configDirectory: configs.path, pluginsDirectory: plugins.path, secrets: secrets, tenantService: source.document, genesysHosts: .testHosts, logger: logger)
        let registry = try TenantRegistry.build(
            configuration: configuration, secrets: secrets, http: ScriptedHTTPClient { _ in throw CancellationError() }, clock: clock,
            logger: logger)
        self.registry = registry
        reloader = ConfigReloader(
            configDirectory: configs.path, registry: registry, secrets: secrets, clock: clock, tenantService: source, genesysHosts: .testHosts,
            logger: logger)
        poller = TenantServicePoller(source: source, reloader: reloader, clock: clock, logger: logger)
        metrics = GatewayMetrics(tenants: { registry }, tenantService: source.health)
    }

    func shutdown() async {
        await http.shutdown()
    }

    func org(_ tenant: String, _ org: String = "main") -> OrgRuntime? {
        registry.tenant(tenant)?.org(named: org)
    }

    /// One tenant as the service lists it: one org, `main`, with the settings a test changes.
    static func tenant(_ id: String, rate: Int = 50, clientSecret: String = "env:SECRET", messageType: String = "text") -> String {
        """
        {"id": "\(id)", "apiKeys": ["env:KEY_\(id.uppercased())"], "orgs": [{"name": "main",
          "apiBaseURL": "http://127.0.0.1:9410", "loginBaseURL": "http://127.0.0.1:9410",
          "clientId": "\(id)-client", "clientSecret": "\(clientSecret)", "integrationId": "\(id)-integration",
          "messageTypes": ["\(messageType)"], "rateLimit": {"messagesPerSecond": \(rate), "burst": 50}}]}
        """
    }

    static func document(_ tenants: String...) -> String {
        #"{"tenants": ["# + tenants.joined(separator: ",\n") + "]}"
    }
}
