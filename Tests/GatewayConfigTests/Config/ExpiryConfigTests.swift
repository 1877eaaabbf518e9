import Foundation
import GatewayTestSupport
import Logging
import Testing
@testable import GatewayCore
@testable import GatewayConfig

/// The `expiry` block: built-in → tenant `defaults:` → org, type by type; `none`; where expired messages go;
/// and every mistake reported with file, line and path.
@Suite struct ExpiryConfigTests {
    static func tenant(defaults: String = "", us: String = "", eu: String = "") -> String {
        """
        id: acme
        apiKeys: [env:KEY]
        \(defaults.isEmpty ? "" : "defaults:\n  expiry: \(defaults)")
        orgs:
          - name: us
            default: true
            apiBaseURL: http://127.0.0.1:9410
            loginBaseURL: http://127.0.0.1:9410
            clientId: us-client
            clientSecret: env:SECRET
            integrationId: us-integration
            messageTypes: [text, typing]
            \(us.isEmpty ? "" : "expiry: \(us)")
          - name: eu
            apiBaseURL: http://127.0.0.1:9410
            loginBaseURL: http://127.0.0.1:9410
            clientId: eu-client
            clientSecret: env:SECRET
            integrationId: eu-integration
            messageTypes: [text, typing]
            \(eu.isEmpty ? "" : "expiry: \(eu)")
        """
    }

    func load(_ yaml: String) -> (TenantConfig?, [String]) {
        let folder = TemporaryDirectory()
        let file = folder.write("acme.yaml", yaml)
        let (tenant, errors) = TenantConfigLoader().loadFile(file)
        return (tenant, errors.map { $0.description.replacingOccurrences(of: folder.path + "/", with: "") })
    }

    @Test func nothingExpiresByDefault() throws {
        let (tenant, errors) = load(Self.tenant())
        #expect(errors == [])
        let us = try #require(tenant?.org(named: "us"))
        #expect(us.expiry.afterSeconds.isEmpty)
        #expect(us.expiry.expiredMessages == .deadLetter)
    }

    @Test func orgsOverrideTheTenantDefaultsTypeByType() throws {
        let (tenant, errors) = load(Self.tenant(
            defaults: "{afterSeconds: {typing: 5, text: 86400}, expiredMessages: park}",
            us: "{afterSeconds: {typing: 10, text: none}}"))
        #expect(errors == [])
        let us = try #require(tenant?.org(named: "us"))
        let eu = try #require(tenant?.org(named: "eu"))
        #expect(us.expiry.afterSeconds == ["typing": 10])
        #expect(us.expiry.expiredMessages == .park)
        #expect(eu.expiry.afterSeconds == ["typing": 5, "text": 86400])
        #expect(eu.expiry.expiredMessages == .park)
    }

    @Test func badValuesAreReportedWithTheirPlace() {
        let (tenant, errors) = load(Self.tenant(
            defaults: "{afterSeconds: {typing: 0}, expiredMessages: drop}",
            us: "{afterSeconds: {typing: 5s, text: 604801}, whenExpired: park}",
            eu: "{afterSeconds: [typing]}"))
        #expect(tenant == nil)
        #expect(errors == [
            "acme.yaml:4:56: 'expiredMessages' in tenant file defaults expiry must be deadLetter or park, got 'drop'",
            "acme.yaml:4:35: 'afterSeconds.typing' in tenant file defaults expiry must be a whole number of seconds from 1 to 604800, or none",
            "acme.yaml:14:56: unknown key 'whenExpired' in orgs[0] expiry (known: afterSeconds, expiredMessages)",
            "acme.yaml:14:37: 'afterSeconds.typing' in orgs[0] expiry must be a whole number of seconds from 1 to 604800, or none",
            "acme.yaml:14:47: 'afterSeconds.text' in orgs[0] expiry must be a whole number of seconds from 1 to 604800, or none",
            "acme.yaml:22:28: 'afterSeconds' in orgs[1] expiry must be a mapping, got a sequence",
        ])
    }

    @Test func anUnknownMessageTypeIsReportedOnceWithFileAndLine() throws {
        let folder = TemporaryDirectory()
        folder.write("acme.yaml", Self.tenant(defaults: "{afterSeconds: {fax: 5}}", us: "{afterSeconds: {typing: 5, telex: 9}}"))
        let (plugins, pluginFolder) = BuiltPlugins.shippedRegistry()
        let configuration = GatewayConfiguration.load(
            configDirectory: folder.path, pluginsDirectory: pluginFolder.path,
            secrets: SecretResolver(environment: ["KEY": "k", "SECRET": "s"]), genesysHosts: .testHosts, logger: Logger(label: "test"))
        #expect(plugins.errors.isEmpty)
        #expect(configuration.tenants.isEmpty)
        let errors = configuration.configErrors.map { $0.description.replacingOccurrences(of: folder.path + "/", with: "") }
        #expect(errors.count == 2, "\(errors)")
        #expect(errors.contains { $0.hasPrefix("acme.yaml:4:27: org 'us': expiry.afterSeconds names unknown message type 'fax' (loaded: ") })
        #expect(errors.contains { $0.hasPrefix("acme.yaml:14:40: org 'us': expiry.afterSeconds names unknown message type 'telex' (loaded: ") })
    }

    @Test func aChangedExpiryIsAChangedOrgButAMovedOneIsNot() throws {
        let (first, _) = load(Self.tenant(us: "{afterSeconds: {typing: 5}}"))
        let (moved, _) = load("# a comment line moves everything down\n" + Self.tenant(us: "{afterSeconds: {typing: 5}}"))
        let (changed, _) = load(Self.tenant(us: "{afterSeconds: {typing: 6}}"))
        let us = try #require(first?.org(named: "us"))
        #expect(us.hasSameSettings(as: try #require(moved?.org(named: "us"))))
        #expect(!us.hasSameSettings(as: try #require(changed?.org(named: "us"))))
    }
}
