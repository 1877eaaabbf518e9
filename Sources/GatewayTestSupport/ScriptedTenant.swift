import GatewayConfig
import GatewayCore
import Logging
import OrgServices

/// Tenant `acme` with one text org `main` at `http://genesys.test`, loaded as the gateway loads tenants (YAML, the
/// shipped plugins, secrets) and running against `http` — a scripted Genesys — for unit tests of what sits above the
/// registry.
public struct ScriptedTenant {
    public static let org = OrgKey(tenantID: "acme", orgName: "main")

    public let registry: TenantRegistry
    /// The config and plugin folders, kept as long as the registry is used.
    private let folders: [TemporaryDirectory]

    /// - Parameters:
    ///   - apiKey: the tenant's API key (`Authorization: Bearer …`), when the test calls the HTTP API.
    ///   - publishers: the tenant's `publishers`.
    public init(
        http: any HTTPClient, clock: any MonotonicClock, rate: Double, burst: Int, retry: TenantYAML.Retry? = nil,
        apiKey: String? = nil, publishers: [String]? = nil, logger: Logger
    ) throws {
        let configs = TemporaryDirectory()
        configs.write("acme.yaml", TenantYAML(id: "acme", apiKeys: apiKey == nil ? [] : [.env("ACME_KEY")], publishers: publishers, orgs: [
            .init(
                name: "main", isDefault: true, baseURL: "http://genesys.test", clientID: "acme-main",
                clientSecret: .env("CLIENT_SECRET"), integrationID: "acme-integration", messageTypes: ["text"], rate: rate,
                burst: burst, retry: retry)
        ]).text)
        let plugins = BuiltPlugins.directory(with: BuiltPlugins.shipped)
        var environment = ["CLIENT_SECRET": "s3cret"]
        environment["ACME_KEY"] = apiKey
        let secrets = SecretResolver(environment: environment)
        let configuration = GatewayConfiguration.load(
            configDirectory: configs.path, pluginsDirectory: plugins.path, secrets: secrets, genesysHosts: .testHosts, logger: logger)
        registry = try TenantRegistry.build(configuration: configuration, secrets: secrets, http: http, clock: clock, logger: logger)
        folders = [configs, plugins]
    }
}
