import Foundation
import GatewayCore
import GatewayConfig
import OrgServices
import GatewayDelivery
import Telemetry
import GatewayTestSupport
import Logging

/// Tenants acme (orgs `us`, `eu`) and globex (org `main`) built from YAML with the shipped plugins, sending
/// to a scripted Genesys that answers by message text: `ok` → 200 after 30 ms, `fail` → 500, `busy` → 429.
struct MetricsFixture {
    let clock: ManualClock
    let http: ScriptedHTTPClient
    let configuration: GatewayConfiguration
    let secrets = SecretResolver(environment: ["CLIENT_SECRET": "s3cret"])
    private let folders: [TemporaryDirectory]

    static let acmeUS = OrgKey(tenantID: "acme", orgName: "us")
    static let acmeEU = OrgKey(tenantID: "acme", orgName: "eu")
    static let globex = OrgKey(tenantID: "globex", orgName: "main")

    init() throws {
        let clock = ManualClock()
        self.clock = clock
        http = ScriptedHTTPClient { request in
            if request.url.hasSuffix("/oauth/token") {
                return HTTPResponse(status: 200, body: Array(#"{"access_token":"t","token_type":"bearer","expires_in":86400}"#.utf8))
            }
            let body = String(decoding: request.body, as: UTF8.self)
            if body.contains(#""text":"fail""#) { return HTTPResponse(status: 500, body: Array(#"{"code":"internal.error"}"#.utf8)) }
            if body.contains(#""text":"busy""#) { return HTTPResponse(status: 429, body: Array(#"{"code":"too.many.requests"}"#.utf8)) }
            clock.advance(by: .milliseconds(30))
            return HTTPResponse(status: 200, body: Array(#"{"id":"g-1","conversationId":"c-1"}"#.utf8))
        }
        let configs = TemporaryDirectory()
        configs.write("acme.yaml", Self.yaml(tenant: "acme", orgs: ["us", "eu"]))
        configs.write("globex.yaml", Self.yaml(tenant: "globex", orgs: ["main"]))
        let plugins = BuiltPlugins.directory(with: BuiltPlugins.shipped)
        configuration = GatewayConfiguration.load(
            configDirectory: configs.path, pluginsDirectory: plugins.path, secrets: secrets, genesysHosts: .testHosts, logger: Self.logger)
        guard configuration.isValid else { throw FixtureError(problems: "\(configuration.configErrors) \(configuration.pluginErrors)") }
        folders = [configs, plugins]
    }

    /// A fresh registry: new token stores, limiters and breakers for every org.
    func registry(dropping tenant: String? = nil) throws -> TenantRegistry {
        var configuration = configuration
        configuration.tenants.removeAll { $0.id == tenant }
        return try TenantRegistry.build(configuration: configuration, secrets: secrets, http: http, clock: clock, logger: Self.logger)
    }

    /// Delivers one text message to `org` through a delivery core reporting to `metrics`.
    func deliver(_ text: String, to org: OrgKey, registry: TenantRegistry, metrics: GatewayMetrics) async -> DeliveryOutcome {
        let delivery = DeliveryService(registry: registry, http: http, clock: clock, logger: Self.logger, observer: metrics)
        let message = #"{"id":"m-\#(UUID().uuidString)","tenantId":"\#(org.tenantID)","org":"\#(org.orgName)","type":"text","textBody":"\#(text)","sender":{"id":"+15550001","idType":"Phone"},"createdAt":"2026-11-25T10:00:00Z"}"#
        return await delivery.deliver(DeliveryRequest(bytes: Array(message.utf8)))
    }

    static func labels(_ org: OrgKey) -> [String: String] {
        ["tenant": org.tenantID, "org": org.orgName]
    }

    static let logger: Logger = {
        var logger = Logger(label: "metrics-test")
        logger.logLevel = .critical
        return logger
    }()

    private static func yaml(tenant: String, orgs: [String]) -> String {
        TenantYAML(id: tenant, orgs: orgs.enumerated().map { index, org in
            .init(
                name: org, isDefault: index == 0, baseURL: "http://genesys.test", clientID: "\(tenant)-\(org)",
                clientSecret: .env("CLIENT_SECRET"), integrationID: "\(tenant)-\(org)-integration", messageTypes: ["text"],
                rate: 200, burst: 100)
        }).text
    }

    struct FixtureError: Error {
        var problems: String
    }
}
