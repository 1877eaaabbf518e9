//
// Fixtures.swift — GenesysSandboxTests
// Orgs, clients, integrations and bodies shared by the contract tests.
//

import Foundation
import Logging

@testable import GenesysSandbox

enum Fixtures {
    static let acmeOrg = "acme"
    static let acmeClient = "acme-client"
    static let acmeSecret = "acme-secret"
    static let acmeIntegration = "acme-integration"
    static let acmeSecondIntegration = "acme-integration-2"
    static let otherClient = "other-client"
    static let otherSecret = "other-secret"
    static let otherIntegration = "other-integration"
    static let webhookSecret = "0123456789abcdef-webhook"

    /// Two orgs: acme (one client, two integrations) and other (one client, one integration), port 0.
    static func configuration(
        acmeRate: Int? = nil, tokenLifetime: Int? = nil, webhookURL: String? = nil,
        webhook: SandboxConfiguration.WebhookPolicy = .init(retries: 2, retryIntervalMilliseconds: 20, timeoutMilliseconds: 2000)
    ) -> SandboxConfiguration {
        SandboxConfiguration(
            port: 0,
            orgs: [
                .init(
                    id: acmeOrg,
                    clients: [.init(id: acmeClient, secret: acmeSecret, tokenLifetimeSeconds: tokenLifetime, ratePerMinute: acmeRate)],
                    integrations: [
                        .init(id: acmeIntegration, outboundNotificationWebhookUrl: webhookURL,
                              webhookSecret: webhookURL == nil ? nil : webhookSecret),
                        .init(id: acmeSecondIntegration),
                    ]),
                .init(
                    id: "other", clients: [.init(id: otherClient, secret: otherSecret)],
                    integrations: [.init(id: otherIntegration)]),
            ],
            webhook: webhook)
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "sandbox-tests")
        logger.logLevel = .warning
        return logger
    }

    /// Runs `body` against a fresh sandbox on a free port.
    static func withSandbox(
        _ configuration: SandboxConfiguration = configuration(), clock: any SandboxClock = SystemClock(),
        _ body: (TestAPI) async throws -> Void
    ) async throws {
        try await SandboxServer.withRunning(configuration, clock: clock, logger: quietLogger) { sandbox in
            try await body(TestAPI(sandbox))
        }
    }

    /// A valid inbound text message from `customer`.
    static func message(customer: String = "customer-1", messageId: String? = "provider-1", text: String? = "hello")
        -> JSONValue
    {
        .compactObject([
            ("channel", .compactObject([
                ("from", ["id": .string(customer), "idType": "Opaque", "nickname": "Casey"]),
                ("time", "2026-01-02T03:04:05.678Z"),
                ("messageId", messageId.map(JSONValue.string)),
            ])),
            ("text", text.map(JSONValue.string)),
        ])
    }

    /// A message body with `change` applied to its object tree.
    static func message(editing change: (inout [String: JSONValue]) -> Void) -> JSONValue {
        var members = message().objectValue!
        change(&members)
        return .object(members)
    }

    static func attachment(_ mediaType: String = "Image") -> JSONValue {
        ["attachment": ["mediaType": .string(mediaType), "url": "https://example.invalid/a.png", "mime": "image/png"]]
    }

    /// The models file the sandbox validates against, for checking its responses too.
    static let catalog: ModelCatalog = try! ModelCatalog.bundled()

    /// Problems of a response body measured against its model.
    static func responseIssues(_ body: JSONValue, model: String) -> [ValidationIssue] {
        SchemaValidator(catalog: catalog, rejectUnknownProperties: true).validate(body, model: model)
    }
}
