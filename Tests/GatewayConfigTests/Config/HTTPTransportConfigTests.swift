import Foundation
import GatewayTestSupport
import PluginHost
import Testing
@testable import GatewayCore
@testable import GatewayConfig

/// An org's `http:` CA file, client certificate and proxy (issue 25): read over the tenant's `defaults:`, checked
/// where they are written, their files checked when the tenant is validated, and refused from a tenant service
/// that may not name local files.
@Suite struct HTTPTransportConfigTests {
    static func tenant(defaults: String = "", us: String = "") -> String {
        """
        id: acme
        apiKeys: [env:KEY]
        \(defaults.isEmpty ? "" : "defaults:\n  http:\n" + Self.indented(defaults, by: 4))
        orgs:
          - name: us
            default: true
            apiBaseURL: https://127.0.0.1:9410
            loginBaseURL: https://127.0.0.1:9410
            clientId: us-client
            clientSecret: env:SECRET
            integrationId: us-integration
        \(us.isEmpty ? "" : "    http:\n" + Self.indented(us, by: 6))
          - name: eu
            apiBaseURL: https://127.0.0.1:9410
            loginBaseURL: https://127.0.0.1:9410
            clientId: eu-client
            clientSecret: env:SECRET
            integrationId: eu-integration
        """
    }

    static func indented(_ lines: String, by spaces: Int) -> String {
        lines.split(separator: "\n").map { String(repeating: " ", count: spaces) + $0 }.joined(separator: "\n")
    }

    func load(_ yaml: String) -> (TenantConfig?, [String]) {
        let folder = TemporaryDirectory()
        let file = folder.write("acme.yaml", yaml)
        let (tenant, errors) = TenantConfigLoader().loadFile(file)
        return (tenant, errors.map { $0.description.replacingOccurrences(of: folder.path + "/", with: "") })
    }

    @Test func anOrgsSettingsGoOverTheTenantDefaults() throws {
        let (tenant, errors) = load(Self.tenant(
            defaults: "caFile: /etc/ggw/ca.pem\nproxy: http://egress.example:3128",
            us: "clientCertFile: /etc/ggw/us.pem\nclientKeyFile: /etc/ggw/us-key.pem\nproxy: socks5h://us-egress.example:1080\nconnectTimeoutMs: 500"))
        #expect(errors == [])
        let us = try #require(tenant?.org(named: "us")?.http)
        let eu = try #require(tenant?.org(named: "eu")?.http)
        #expect(us.connectTimeoutMilliseconds == 500)
        #expect(us.transport == HTTPTransportSettings(
            caFile: "/etc/ggw/ca.pem", clientCertificateFile: "/etc/ggw/us.pem", clientKeyFile: "/etc/ggw/us-key.pem",
            proxy: "socks5h://us-egress.example:1080", noProxy: ""))
        #expect(eu.transport == HTTPTransportSettings(caFile: "/etc/ggw/ca.pem", proxy: "http://egress.example:3128", noProxy: ""))
    }

    @Test func anOrgWithoutHTTPSettingsHasNone() throws {
        let (tenant, errors) = load(Self.tenant())
        #expect(errors == [])
        #expect(tenant?.org(named: "us")?.http.transport.isEmpty == true)
    }

    @Test func mistakesAreReportedWithTheirPlace() {
        let (tenant, errors) = load(Self.tenant(
            defaults: "clientCertFile: /etc/ggw/client.pem",
            us: "caFile: ca.pem\nclientKeyFile: /etc/ggw/key.pem\nproxy: ftp://egress.example\ncaDir: /etc/ssl"))
        #expect(tenant == nil)
        #expect(errors == [
            "acme.yaml:5:21: 'clientCertFile' in tenant file defaults http needs 'clientKeyFile' as well (a client certificate goes with its key)",
            "acme.yaml:18:7: unknown key 'caDir' in orgs[0] http (known: connectTimeoutMs, requestTimeoutMs, caFile, clientCertFile, clientKeyFile, proxy)",
            "acme.yaml:15:15: 'caFile' in orgs[0] http must be an absolute path, got 'ca.pem'",
            "acme.yaml:16:22: 'clientKeyFile' in orgs[0] http needs 'clientCertFile' as well (a client certificate goes with its key)",
            "acme.yaml:17:14: 'proxy' in orgs[0] http ftp://egress.example: must start with http://, https://, socks5://, socks5h://",
        ])
    }

    /// A password in a tenant file would be a secret written as a value.
    @Test func aProxyWithCredentialsIsRefused() {
        let (tenant, errors) = load(Self.tenant(us: "proxy: http://acme:hunter2@egress.example:3128"))
        #expect(tenant == nil)
        #expect(errors.count == 1 && errors[0].contains("'proxy' in orgs[0] http must not carry a user or password"), "\(errors)")
        #expect(!errors.joined().contains("hunter2"))
    }

    @Test func theValidatorNamesAFileThatCannotBeRead() throws {
        let folder = TemporaryDirectory()
        let ca = folder.write("ca.pem", "not checked here")
        let (tenant, errors) = load(Self.tenant(
            defaults: "caFile: \(folder.path)",
            us: "caFile: \(ca)\nclientCertFile: /nonexistent/us.pem\nclientKeyFile: \(ca)"))
        #expect(errors == [])
        let validator = TenantConfigValidator(
            plugins: PluginRegistry(), secrets: SecretResolver(environment: ["KEY": "k", "SECRET": "s"]), genesysHosts: .testHosts)
        let problems = validator.problems(in: try #require(tenant)).map(\.message).filter { $0.contains("http.") }
        #expect(problems == [
            "org 'us': http.clientCertFile /nonexistent/us.pem: does not exist",
            "org 'eu': http.caFile \(folder.path): is a directory, not a file",
        ])
    }

    /// A tenant service may not make the gateway read its files, nor send an org's calls through a host of its
    /// choosing (a proxy gets the login request: a way round the Genesys host allow-list), unless the operator allows
    /// references.
    @Test func aTenantServiceNamesFilesOnlyWhenReferencesAreAllowed() throws {
        let json = """
            {"tenants": [{"id": "acme", "apiKeys": ["k"], "orgs": [{"name": "main",
              "apiBaseURL": "https://127.0.0.1:9410", "loginBaseURL": "https://127.0.0.1:9410",
              "clientId": "acme-client", "clientSecret": "s", "integrationId": "acme-integration",
              "http": {"caFile": "/etc/ggw/ca.pem", "clientCertFile": "/etc/ggw/c.pem", "clientKeyFile": "/etc/ggw/k.pem"}}]},
             {"id": "beta", "apiKeys": ["k2"], "orgs": [{"name": "main",
              "apiBaseURL": "https://127.0.0.1:9410", "loginBaseURL": "https://127.0.0.1:9410",
              "clientId": "beta-client", "clientSecret": "s", "integrationId": "beta-integration",
              "http": {"proxy": "http://egress.example:3128"}}]}]}
            """
        let values = try TenantServiceDocument(
            json: Array(json.utf8), url: "https://tenants.example",
            literalSecrets: TenantServiceSettings(url: "https://tenants.example").literalSecrets)
        #expect(values.tenants[0].tenant == nil)
        #expect(values.tenants[0].decodeErrors.map(\.description) == ["caFile", "clientCertFile", "clientKeyFile"].map {
            "tenant-service:acme:orgs[0].http.\($0): '\($0)' in orgs[0] http names a file on the gateway's machine, which a tenant service may do only when the operator allows references (--tenant-service-allow-references)"
        })
        #expect(values.tenants[1].tenant == nil)
        #expect(values.tenants[1].decodeErrors.map(\.description) == [
            "tenant-service:beta:orgs[0].http.proxy: 'proxy' in orgs[0] http sends the org's calls through another host, which a tenant service may set only when the operator allows references (--tenant-service-allow-references)",
        ])

        let allowed = try TenantServiceDocument(
            json: Array(json.utf8), url: "https://tenants.example",
            literalSecrets: TenantServiceSettings(url: "https://tenants.example", allowsReferences: true).literalSecrets)
        #expect(allowed.tenants[0].decodeErrors.isEmpty)
        #expect(allowed.tenants[0].tenant?.orgs.first?.http.transport.caFile == "/etc/ggw/ca.pem")
        #expect(allowed.tenants[1].tenant?.orgs.first?.http.transport.proxy == "http://egress.example:3128")
    }
}
