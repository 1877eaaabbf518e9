import Foundation
import Logging
import GatewayTestSupport
import Testing
@testable import GatewayCore
@testable import GatewayConfig

/// A whole config directory: several files, broken ones among them, checked against real plugins.
@Suite struct TenantConfigLoaderTests {
    static func tenant(_ id: String, types: [String] = ["text"], policy: String = "default") -> String {
        TenantYAML(id: id, apiKeys: [.env("KEY")], orgs: [
            .init(
                name: "main", baseURL: "http://127.0.0.1:9410", clientID: "\(id)-client", clientSecret: .env("SECRET"),
                integrationID: "\(id)-integration", messageTypes: types, errorPolicy: policy),
        ]).text
    }

    @Test func aBrokenFileDoesNotStopTheOthersAndEveryErrorIsReported() {
        let folder = TemporaryDirectory()
        folder.write("a.yaml", Self.tenant("alpha"))
        folder.write("b.yaml", "id: beta\nbogus: 1\norgs: []\n")
        folder.write("c.yml", Self.tenant("gamma"))
        folder.write("notes.txt", "not a tenant")
        let report = TenantConfigLoader().load(directory: folder.path)
        #expect(report.tenants.map(\.id) == ["alpha", "gamma"])
        #expect(report.files.count == 3)
        let errors = report.errors.map { $0.description.replacingOccurrences(of: folder.path + "/", with: "") }
        #expect(errors.count == 2)
        #expect(errors.contains { $0.hasPrefix("b.yaml:2:1: unknown key 'bogus' in tenant file") })
        #expect(errors.contains("b.yaml:3:7: 'orgs' in tenant 'beta' must be a non-empty list of orgs"))
    }

    @Test func duplicateTenantIdsAcrossFilesAreRefused() {
        let folder = TemporaryDirectory()
        folder.write("1-first.yaml", Self.tenant("acme"))
        folder.write("2-second.yaml", Self.tenant("acme"))
        let report = TenantConfigLoader().load(directory: folder.path)
        #expect(report.tenants.count == 1)
        #expect(report.tenants.first?.source.path.hasSuffix("1-first.yaml") == true)
        #expect(report.errors.map(\.description) == [
            "\(folder.path)/2-second.yaml:1:5: duplicate tenant id 'acme': already defined in \(folder.path)/1-first.yaml"
        ])
    }

    @Test func anAPIKeyAlreadyHeldByAnotherTenantLeavesTheLaterFileOut() {
        let folder = TemporaryDirectory()
        folder.write("1-first.yaml", Self.tenant("alpha"))
        folder.write("2-second.yaml", Self.tenant("beta"))
        let (_, pluginFolder) = BuiltPlugins.shippedRegistry()
        let configuration = GatewayConfiguration.load(
            configDirectory: folder.path, pluginsDirectory: pluginFolder.path,
            secrets: SecretResolver(environment: ["KEY": "k", "SECRET": "s"]), genesysHosts: .testHosts, logger: Logger(label: "test"))
        #expect(configuration.tenants.map(\.id) == ["alpha"])
        #expect(configuration.configErrors.map(\.description) == [
            "\(folder.path)/2-second.yaml:1:5: API key env:KEY is already tenant 'alpha's (it holds the same key)"
        ])
    }

    /// Issue 25: keys were compared by reference, so `env:A` and `env:B` holding one key, or `file:/k` and
    /// `file://k` (one file), gave two tenants the same key, and the key picked whichever the lookup met first.
    @Test(arguments: [
        (TenantYAML.Secret.env("KEY_A"), TenantYAML.Secret.env("KEY_B")),
        (TenantYAML.Secret.file("KEYFILE"), TenantYAML.Secret.file("/KEYFILE")),
    ])
    func twoReferencesHoldingOneKeyAreOneKey(first: TenantYAML.Secret, second: TenantYAML.Secret) throws {
        let folder = TemporaryDirectory()
        let keyFile = TemporaryDirectory()
        keyFile.write("key", "k-shared")
        func tenant(_ id: String, key: TenantYAML.Secret) -> String {
            // The file references point at the one key file, written with one slash or two.
            let key: TenantYAML.Secret = switch key {
            case .env: key
            case .file(let path): .file(path.replacingOccurrences(of: "KEYFILE", with: keyFile.path + "/key"))
            }
            return TenantYAML(id: id, apiKeys: [key], orgs: [
                .init(
                    name: "main", baseURL: "http://127.0.0.1:9410", clientID: "\(id)-client", clientSecret: .env("SECRET"),
                    integrationID: "\(id)-integration", messageTypes: ["text"], errorPolicy: "default"),
            ]).text
        }
        folder.write("1-first.yaml", tenant("alpha", key: first))
        folder.write("2-second.yaml", tenant("beta", key: second))
        let (_, pluginFolder) = BuiltPlugins.shippedRegistry()
        let configuration = GatewayConfiguration.load(
            configDirectory: folder.path, pluginsDirectory: pluginFolder.path,
            secrets: SecretResolver(environment: ["KEY_A": "k-shared", "KEY_B": "k-shared", "SECRET": "s"]), genesysHosts: .testHosts, logger: Logger(label: "test"))
        #expect(configuration.tenants.map(\.id) == ["alpha"])
        #expect(configuration.configErrors.map(\.description) == [
            "\(folder.path)/2-second.yaml:1:5: API key \(second.reference.replacingOccurrences(of: "KEYFILE", with: keyFile.path + "/key")) is already tenant 'alpha's (it holds the same key)"
        ])
    }

    @Test func unknownMessageTypesAndPoliciesPointAtTheirLine() {
        let folder = TemporaryDirectory()
        folder.write("t.yaml", Self.tenant("acme", types: ["text", "carrier-pigeon"], policy: "lenient"))
        let (plugins, pluginFolder) = BuiltPlugins.shippedRegistry()
        let configuration = GatewayConfiguration.load(
            configDirectory: folder.path, pluginsDirectory: pluginFolder.path,
            secrets: SecretResolver(environment: ["KEY": "k", "SECRET": "s"]), genesysHosts: .testHosts, logger: Logger(label: "test"))
        #expect(plugins.errors.isEmpty)
        #expect(configuration.tenants.isEmpty)
        let errors = configuration.configErrors.map(\.description)
        #expect(errors.count == 2)
        #expect(errors[0].hasPrefix("\(folder.path)/t.yaml:10:26: org 'main': unknown message type 'carrier-pigeon' (loaded: "))
        #expect(errors[1] == "\(folder.path)/t.yaml:11:18: org 'main': unknown error policy 'lenient' (loaded: default)")
    }

    /// Issue 11: with `receipt` off, the Failed receipt for an agent message the gateway could not forward was
    /// parked and the agent believed the message delivered. Such a config is refused now.
    @Test func aWebhookSecretWithoutReceiptsIsRefused() {
        let folder = TemporaryDirectory()
        folder.write("t.yaml", TenantYAML(id: "acme", apiKeys: [.env("KEY")], orgs: [
            .init(
                name: "main", baseURL: "http://127.0.0.1:9410", clientID: "acme-client", clientSecret: .env("SECRET"),
                integrationID: "acme-integration", webhookSecret: .env("HOOK"), messageTypes: ["text"]),
        ]).text)
        let (_, pluginFolder) = BuiltPlugins.shippedRegistry()
        let configuration = GatewayConfiguration.load(
            configDirectory: folder.path, pluginsDirectory: pluginFolder.path,
            secrets: SecretResolver(environment: ["KEY": "k", "SECRET": "s", "HOOK": "h"]), genesysHosts: .testHosts, logger: Logger(label: "test"))
        #expect(configuration.tenants.isEmpty)
        let errors = configuration.configErrors.map(\.description)
        #expect(errors.count == 1)
        #expect(errors.first?.contains("org 'main': webhookSecret needs message type 'receipt' in messageTypes") == true)
    }

    @Test func missingSecretsNameTenantOrgAndKey() {
        let folder = TemporaryDirectory()
        folder.write("t.yaml", Self.tenant("acme"))
        let (_, pluginFolder) = BuiltPlugins.shippedRegistry()
        let configuration = GatewayConfiguration.load(
            configDirectory: folder.path, pluginsDirectory: pluginFolder.path,
            secrets: SecretResolver(environment: ["KEY": "k"]), genesysHosts: .testHosts, logger: Logger(label: "test"))
        #expect(configuration.configErrors.map(\.description) == [
            "\(folder.path)/t.yaml:1:5: tenant 'acme' org 'main' key 'clientSecret': env:SECRET is not set"
        ])
    }

    @Test func pluginSettingsAreCheckedByThePluginItself() {
        let folder = TemporaryDirectory()
        folder.write("t.yaml", Self.tenant("acme") + "plugins:\n  text: {maxTextLenght: 10}\n")
        let (_, pluginFolder) = BuiltPlugins.shippedRegistry()
        let configuration = GatewayConfiguration.load(
            configDirectory: folder.path, pluginsDirectory: pluginFolder.path,
            secrets: SecretResolver(environment: ["KEY": "k", "SECRET": "s"]), genesysHosts: .testHosts, logger: Logger(label: "test"))
        #expect(configuration.configErrors.map(\.description) == [
            "\(folder.path)/t.yaml:1:5: plugin 'text' refused its settings: maxTextLenght: unknown setting 'maxTextLenght' (known: maxTextLength)"
        ])
    }

    @Test func theShippedExampleTenantsAreValid() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
        let environment = try ExampleEnvironment.load(from: repository + "/scripts/example-env.sh")
        let (_, pluginFolder) = BuiltPlugins.shippedRegistry()
        let configuration = GatewayConfiguration.load(
            configDirectory: repository + "/TenantConfigs", pluginsDirectory: pluginFolder.path,
            secrets: SecretResolver(environment: environment), genesysHosts: .testHosts, logger: Logger(label: "test"))
        #expect(configuration.configErrors.map(\.description) == [])
        #expect(configuration.tenants.count >= 3)
        #expect(configuration.tenants.contains { $0.orgs.count >= 2 })
    }
}

/// Reads the `export NAME="${NAME:-value}"` lines of scripts/example-env.sh.
enum ExampleEnvironment {
    static func load(from path: String) throws -> [String: String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var environment: [String: String] = [:]
        for match in text.matches(of: /export ([A-Z0-9_]+)="\$\{[A-Z0-9_]+:-([^}]*)\}"/) {
            environment[String(match.1)] = String(match.2)
        }
        return environment
    }
}

/// An org's Genesys hosts: only Genesys Cloud's regions unless the operator allows more.
@Suite struct GenesysHostAllowListTests {
    @Test func anOrgNamingAnInternalHostIsRefusedNamingItsFileAndOrgAndTheOthersStay() throws {
        let folder = TemporaryDirectory()
        folder.write("alpha.yaml", TenantConfigLoaderTests.tenant("alpha").replacingOccurrences(
            of: "http://127.0.0.1:9410", with: "http://169.254.169.254/latest/meta-data"))
        folder.write("beta.yaml", """
            id: beta
            apiKeys: [env:KEY]
            orgs:
              - name: main
                region: mypurecloud.ie
                clientId: beta-client
                clientSecret: env:SECRET
                integrationId: beta-integration
            """)
        let (_, pluginFolder) = BuiltPlugins.shippedRegistry()
        let configuration = GatewayConfiguration.load(
            configDirectory: folder.path, pluginsDirectory: pluginFolder.path,
            secrets: SecretResolver(environment: ["KEY": "k", "SECRET": "s"]), logger: Logger(label: "test"))
        #expect(configuration.tenants.map(\.id) == ["beta"])
        let errors = configuration.configErrors.map { $0.description.replacingOccurrences(of: folder.path + "/", with: "") }
        #expect(errors.count == 2, "\(errors)")
        #expect(errors.allSatisfy { $0.hasPrefix("alpha.yaml:") && $0.contains("org 'main'") && $0.contains("'169.254.169.254'") })
        #expect(errors.contains { $0.contains("'apiBaseURL'") } && errors.contains { $0.contains("'loginBaseURL'") })
    }

    @Test func theOperatorsAllowanceLetsTheHostIn() throws {
        let folder = TemporaryDirectory()
        folder.write("alpha.yaml", TenantConfigLoaderTests.tenant("alpha"))
        let (_, pluginFolder) = BuiltPlugins.shippedRegistry()
        let configuration = GatewayConfiguration.load(
            configDirectory: folder.path, pluginsDirectory: pluginFolder.path,
            secrets: SecretResolver(environment: ["KEY": "k", "SECRET": "s"]),
            genesysHosts: try GenesysHostPolicy(allowing: ["127.0.0.1"]), logger: Logger(label: "test"))
        #expect(configuration.configErrors.map(\.description) == [])
        #expect(configuration.tenants.map(\.id) == ["alpha"])
    }
}
