import Foundation
import GatewayTestSupport
import Logging
@testable import GatewayCore
@testable import PluginHost
@testable import GatewayConfig
@testable import OrgServices
@testable import GatewayApp

/// A config directory, a registry built from it with the shipped plugins, and a reloader on a manual clock.
final class ReloadFixture {
    /// Loaded once for every test: loading copies and opens the libraries, and plugins are never reloaded anyway.
    static let plugins: PluginRegistry = BuiltPlugins.shippedRegistry().0

    let configs = TemporaryDirectory()
    let clock = ManualClock()
    let http: ScriptedHTTPClient
    let secrets = SecretResolver(environment: [
        "KEY_ACME": "k-acme", "KEY_BETA": "k-beta", "KEY_GAMMA": "k-gamma", "SECRET": "s", "OTHER_SECRET": "s2", "HOOK": "h",
        "CLIENT_OF_ACME": "acme-client",
    ])
    let registry: TenantRegistry
    let reloader: ConfigReloader

    /// A tenant file with one org, `main`; the parameters are the org's settings a test changes (`comment`
    /// goes first, to move the file's lines down).
    static func tenant(
        _ id: String, clientSecret: TenantYAML.Secret = .env("SECRET"), rate: Int = 50, openSeconds: Int = 30, maxAttempts: Int = 5,
        comment: String = ""
    ) -> String {
        // Each tenant its own API key: one key may belong to one tenant only.
        comment + TenantYAML(id: id, apiKeys: [.env("KEY_\(id.uppercased())")], orgs: [
            .init(
                name: "main", baseURL: "http://127.0.0.1:9410", clientID: "\(id)-client", clientSecret: clientSecret,
                integrationID: "\(id)-integration", messageTypes: ["text"], errorPolicy: "default", rate: Double(rate), burst: rate,
                breaker: .init(openSeconds: openSeconds), retry: .init(maxAttempts: maxAttempts)),
        ]).text
    }

    /// - Parameters:
    ///   - files: tenant files by name, loaded at "start".
    ///   - http: the Genesys and login hosts (none by default: every call fails).
    ///   - orgState: makes each org's limiter and token provider (in-memory by default).
    init(
        _ files: [String: String],
        http: ScriptedHTTPClient = ScriptedHTTPClient { _ in throw CancellationError() },
        orgState: (any OrgStateMaking)? = nil,
        onBreakerTransition: @escaping @Sendable (OrgKey, CircuitTransition) -> Void = { _, _ in },
        onReload: @escaping @Sendable (ReloadReport) -> Void = { _ in }
    ) throws {
        for (name, text) in files { configs.write(name, text) }
        let report = TenantConfigLoader().load(directory: configs.path)
        let validator = TenantConfigValidator(plugins: Self.plugins, secrets: secrets, genesysHosts: .testHosts)
        let problems = report.errors + report.tenants.flatMap(validator.problems(in:))
        guard problems.isEmpty else { throw FixtureError(problems: problems) }
        self.http = http
        registry = try TenantRegistry.build(
            configuration: GatewayConfiguration(
                plugins: Self.plugins, tenants: report.tenants, tenantFiles: report.files, configErrors: []),
            secrets: secrets, http: http, clock: clock, logger: Logger(label: "test"), orgState: orgState,
            onBreakerTransition: onBreakerTransition)
        reloader = ConfigReloader(
            configDirectory: configs.path, registry: registry, secrets: secrets, clock: clock,
            pollInterval: .seconds(2), genesysHosts: .testHosts, logger: Logger(label: "test"), onReload: onReload)
    }

    func org(_ tenant: String, _ org: String = "main") -> OrgRuntime? {
        registry.tenant(tenant)?.org(named: org)
    }

    func remove(_ name: String) {
        try! FileManager.default.removeItem(atPath: configs.path + "/" + name)
    }

    struct FixtureError: Error {
        var problems: [ConfigError]
    }
}
