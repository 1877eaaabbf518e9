//
// ConfigurationTests.swift — GenesysSandboxTests
// The config file format, the quick flags, and the checks at start.
//

import Foundation
import Testing

@testable import GenesysSandbox

@Suite("Configuration")
struct ConfigurationTests {
    @Test func configFileDecodesWithDefaults() throws {
        let json = """
            {"orgs": [{"id": "acme", "clients": [{"id": "acme-client", "secret": "s", "ratePerMinute": 50}],
              "integrations": [{"id": "int-1", "outboundNotificationWebhookUrl": "http://127.0.0.1:9/hook",
                                "webhookSecret": "0123456789abcdef"}]}],
             "webhook": {"retries": 1},
             "faults": [{"client": "acme-client", "settings": {"latencyMs": 20}}]}
            """
        let configuration = try JSONDecoder().decode(SandboxConfiguration.self, from: Data(json.utf8))
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.defaultTokenLifetimeSeconds == 86400)
        #expect(configuration.defaultRatePerMinute == 300)
        #expect(configuration.webhook == .init(retries: 1, retryIntervalMilliseconds: 5000, timeoutMilliseconds: 10000))
        #expect(configuration.orgs.first?.clients.first?.ratePerMinute == 50)
        #expect(configuration.faults == [FaultRule(target: .client("acme-client"), settings: FaultSettings(latencyMs: 20))])
        let directory = try Directory(configuration: configuration)
        #expect(directory.clients["acme-client"]?.tokenLifetimeSeconds == 86400)
        #expect(directory.integration("int-1", visibleTo: "acme")?.webhookURL == "http://127.0.0.1:9/hook")
        #expect(directory.integration("int-1", visibleTo: "someone-else") == nil)
    }

    @Test func configFileIsLoadedFromDisk() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-\(UUID().uuidString).json").path
        try Data(#"{"port": 0, "defaultRatePerMinute": 50, "orgs": [{"id": "o", "clients": [{"id": "c", "secret": "s"}]}]}"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = try SandboxConfiguration.load(fromFile: path)
        #expect(configuration.port == 0)
        #expect(configuration.defaultRatePerMinute == 50)
        #expect(configuration.orgs.map(\.id) == ["o"])
        #expect(throws: SandboxError.self) { try SandboxConfiguration.load(fromFile: path + ".missing") }
    }

    @Test func quickFlagsBuildOrgs() throws {
        var configuration = SandboxConfiguration()
        try configuration.addClient(flag: "acme-client:secret:acme")
        try configuration.addClient(flag: "solo:pw")
        try configuration.addIntegration(flag: "int-1:acme")
        try configuration.setWebhook(flag: "int-1=http://127.0.0.1:8080/hook?x=1")
        try configuration.setWebhookSecret(flag: "int-1=0123456789abcdef")
        try configuration.setClientRate(flag: "acme-client=50")
        try configuration.setClientTokenLifetime(flag: "solo=2")
        let acme = try #require(configuration.orgs.first { $0.id == "acme" })
        #expect(acme.clients == [.init(id: "acme-client", secret: "secret", ratePerMinute: 50)])
        #expect(acme.integrations.first?.outboundNotificationWebhookUrl == "http://127.0.0.1:8080/hook?x=1")
        let defaultOrg = try #require(configuration.orgs.first { $0.id == SandboxConfiguration.defaultOrgId })
        #expect(defaultOrg.clients.first?.tokenLifetimeSeconds == 2)
        #expect(throws: SandboxError.self) { try configuration.addClient(flag: "no-secret") }
        #expect(throws: SandboxError.self) { try configuration.setClientRate(flag: "unknown=5") }
    }

    @Test func faultFlagParses() throws {
        let rule = try FaultRule(flagValue: "integration:int-1:latencyMs=200,jitterMs=50,failureRate=0.5,failureStatuses=502/503")
        #expect(rule.target == .integration("int-1"))
        #expect(rule.settings == FaultSettings(latencyMs: 200, jitterMs: 50, failureRate: 0.5, failureStatuses: [502, 503]))
        #expect(throws: SandboxError.self) { try FaultRule(flagValue: "client:x:latency=1") }
        #expect(throws: SandboxError.self) { try FaultRule(flagValue: "client:x:failureRate=2") }
        #expect(throws: SandboxError.self) { try FaultRule(flagValue: "tenant:x:latencyMs=1") }
    }

    @Test func shortWebhookSecretAndDuplicatesAreRejected() {
        let short = SandboxConfiguration(orgs: [
            .init(id: "o", integrations: [.init(id: "i", outboundNotificationWebhookUrl: "http://127.0.0.1/", webhookSecret: "short")])
        ])
        #expect(throws: SandboxError.self) { try Directory(configuration: short) }
        let duplicate = SandboxConfiguration(orgs: [
            .init(id: "a", clients: [.init(id: "c", secret: "1")]), .init(id: "b", clients: [.init(id: "c", secret: "2")]),
        ])
        #expect(throws: SandboxError.self) { try Directory(configuration: duplicate) }
    }
}
