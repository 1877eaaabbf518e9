import Foundation
import GatewayTestSupport
import Logging
@testable import GatewayCore
@testable import GatewayConfig
@testable import OrgServices

/// Real-shaped Genesys webhook bodies with signatures computed outside Swift
/// (`base64(HMAC-SHA256(secret, body))` with Python's hmac module), so the verifier is checked against an
/// independent signer.
enum WebhookFixtures {
    static let secret = "acme-us-webhook-secret-0123"

    /// An agent's text message, as Genesys' webhook sends it.
    static let text = #"{"id":"a1b2c3d4","conversationId":"conv-1","channel":{"id":"acme-us-integration","platform":"Open","type":"Private","to":{"id":"+15550100001"},"from":{"id":"acme-us-integration","idType":"Opaque","nickname":"Sandbox Agent"},"time":"2026-11-25T10:00:00.000Z"},"type":"Text","text":"Hello, how can I help?","direction":"Outbound"}"#
    static let textSignature = "sha256=JyUo/qkTGz9PThS3v9zOSsokdKal2wnXFt+vHZgDjUU="

    /// Signed correctly, but without `channel.to`.
    static let noCustomer = #"{"id":"e5f6","channel":{"from":{"id":"acme-us-integration","idType":"Opaque"},"time":"2026-11-25T10:00:00Z"},"type":"Text","text":"Hi","direction":"Outbound"}"#
    static let noCustomerSignature = "sha256=VRxDdmxuVr5wVrBhPbIPnSFfgG4MCmD/+ooY6CGnmaI="

    /// Genesys' receipt for a message the customer sent.
    static let receipt = #"{"id":"r9","channel":{"id":"acme-us-integration","to":{"id":"+15550100001"},"time":"2026-11-25T10:00:01Z"},"type":"Receipt","status":"Delivered","isFinalReceipt":true,"direction":"Outbound"}"#
    static let receiptSignature = "sha256=q0MXoolItVeb2ajAPOxsSUuwEhgNRG/K/KgM0aDwr4s="

    /// Tenant `acme` (org `us` with a webhook secret, org `quiet` without) and a disabled tenant `dormant`,
    /// loaded through the real config loader and plugins. Nothing here talks HTTP.
    static func registry() throws -> (TenantRegistry, [TemporaryDirectory]) {
        let configs = TemporaryDirectory()
        configs.write("acme.yaml", TenantYAML(id: "acme", orgs: [
            .init(
                name: "us", isDefault: true, baseURL: "http://127.0.0.1:9", clientID: "acme-us-client",
                clientSecret: .env("CLIENT_SECRET"), integrationID: "acme-us-integration", webhookSecret: .env("WEBHOOK_SECRET"),
                messageTypes: ["text", "receipt"]),
            .init(
                name: "quiet", baseURL: "http://127.0.0.1:9", clientID: "acme-quiet-client", clientSecret: .env("CLIENT_SECRET"),
                integrationID: "acme-quiet-integration"),
        ]).text)
        configs.write("dormant.yaml", TenantYAML(id: "dormant", enabled: false, orgs: [
            .init(
                name: "us", baseURL: "http://127.0.0.1:9", clientID: "dormant-client", clientSecret: .env("CLIENT_SECRET"),
                integrationID: "dormant-integration", webhookSecret: .env("WEBHOOK_SECRET"), messageTypes: ["text", "receipt"]),
        ]).text)
        let plugins = BuiltPlugins.directory(with: BuiltPlugins.shipped)
        let secrets = SecretResolver(environment: ["CLIENT_SECRET": "s", "WEBHOOK_SECRET": secret])
        let logger = Logger(label: "test")
        let configuration = GatewayConfiguration.load(
            configDirectory: configs.path, pluginsDirectory: plugins.path, secrets: secrets, genesysHosts: .testHosts, logger: logger)
        let http = ScriptedHTTPClient { _ in throw CancellationError() }
        let registry = try TenantRegistry.build(
            configuration: configuration, secrets: secrets, http: http, clock: ManualClock(), logger: logger)
        return (registry, [configs, plugins])
    }
}
