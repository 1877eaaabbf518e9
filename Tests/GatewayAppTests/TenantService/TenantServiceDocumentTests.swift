import Foundation
import GatewayTestSupport
import Testing
@testable import GatewayCore
@testable import GatewayConfig

/// The tenant service's document read by the tenant file rules: errors by field path, garbage refused as a
/// whole, secret values only from a safe URL and never shown.
@Suite struct TenantServiceDocumentTests {
    let validator = TenantConfigValidator(
        plugins: ReloadFixture.plugins, secrets: SecretResolver(environment: ["SECRET": "s", "KEY_ACME": "k"]), genesysHosts: .testHosts)

    private func read(_ json: String, literalSecrets: LiteralSecretPolicy = .accepted) throws -> TenantServiceDocument {
        try TenantServiceDocument(json: Array(json.utf8), url: "https://tenants.example", literalSecrets: literalSecrets)
    }

    @Test func aTenantFailingValidationIsNamedByTenantAndFieldPath() throws {
        let document = try read(TenantServiceFixture.document(
            TenantServiceFixture.tenant("acme", rate: 0), TenantServiceFixture.tenant("beta", messageType: "fax"), #"{"orgs": []}"#))
        #expect(document.tenants.map(\.source) == ["tenant-service:acme", "tenant-service:beta", "tenant-service:tenants[2]"])
        #expect(document.tenants[0].problems(validatedBy: validator).map(\.description) == [
            "tenant-service:acme:orgs[0].rateLimit.messagesPerSecond: 'messagesPerSecond' in orgs[0] rateLimit must be greater than 0 and at most 100000, got 0"
        ])
        #expect(document.tenants[1].problems(validatedBy: validator).map(\.description).contains { description in
            description.hasPrefix("tenant-service:beta:orgs[0].messageTypes[0]: org 'main': unknown message type 'fax'")
        })
        #expect(Set(document.tenants[2].problems(validatedBy: validator).map(\.description)) == [
            "tenant-service:tenants[2]: missing required key 'id' in tenant",
            "tenant-service:tenants[2]:orgs: 'orgs' in tenant '?' must be a non-empty list of orgs",
        ])
    }

    @Test func aValidTenantDecodesAsItsFileWould() throws {
        let document = try read(TenantServiceFixture.document(TenantServiceFixture.tenant("acme", rate: 20)))
        let entry = try #require(document.tenants.first)
        #expect(entry.problems(validatedBy: validator).isEmpty)
        let tenant = try #require(entry.tenant)
        #expect(tenant.source.path == "tenant-service:acme" && tenant.source.origin == .tenantService)
        #expect(tenant.orgs.first?.rateLimit == RateLimitSettings(messagesPerSecond: 20, burst: 50))
        #expect(tenant.orgs.first?.clientSecret == .environment("SECRET"))
    }

    @Test(arguments: [
        "not json {", "[]", #"{"tenants": {}}"#, #"{"tenants": [], "extra": 1}"#, #"{"tenant": []}"#,
    ])
    func garbageIsRefusedAsAWhole(_ answer: String) throws {
        let error = #expect(throws: TenantServiceError.self) { try read(answer) }
        #expect(error?.kind == .invalidDocument)
    }

    @Test func aRepeatedTenantIdIsRefusedByPosition() throws {
        let document = try read(TenantServiceFixture.document(TenantServiceFixture.tenant("acme"), TenantServiceFixture.tenant("acme")))
        #expect(document.tenants.map(\.source) == ["tenant-service:acme", "tenant-service:tenants[1]"])
        #expect(document.tenants[1].tenant == nil)
        #expect(document.tenants[1].decodeErrors.map(\.description) == [
            "tenant-service:tenants[1]: duplicate tenant id 'acme' in the document: tenants[0] has it already"
        ])
    }

    /// Issue 25: the document carries secrets and names the hosts they go to, so it never crosses a network
    /// unprotected: https, or http to this machine (127.0.0.2 reaches it too, but only these names count).
    @Test(arguments: [
        ("https://tenants.example/v1", true), ("http://127.0.0.1:8080/t", true), ("http://localhost/t", true),
        ("http://[::1]:9000/t", true), ("http://tenants.internal/t", false), ("http://127.0.0.2:80/t", false),
        ("http://10.0.0.5/t", false),
    ])
    func aTenantServiceURLMustBeHTTPSOrLoopback(_ url: String, _ accepted: Bool) {
        let problem = TenantServiceSettings.problem(with: url)
        #expect((problem == nil) == accepted, "\(url): \(problem ?? "accepted")")
        if !accepted { #expect(problem == "must be https://, or http:// to 127.0.0.1, ::1 or localhost (the document carries secrets)") }
    }

    /// Issue 25: a reference in the document would have the gateway read its own environment or files for the
    /// service (and send the result as a client secret to a login host the document names): refused, client ids
    /// too, unless the operator allows references.
    @Test func aReferenceFromTheServiceIsRefusedUnlessAllowed() throws {
        let refusing = TenantServiceSettings(url: "https://tenants.example").literalSecrets
        let json = TenantServiceFixture.document(
            TenantServiceFixture.tenant("acme", clientSecret: "file:/etc/shadow").replacingOccurrences(of: "\"acme-client\"", with: "\"env:HOME\""))
        let document = try read(json, literalSecrets: refusing)
        let errors = document.tenants[0].problems(validatedBy: validator).map(\.description)
        let hint = "the tenant service sends secrets and client ids as values; a reference would have the gateway read its own environment or files for the service (allow it with --tenant-service-allow-references)"
        #expect(Set(errors) == [
            "tenant-service:acme:apiKeys[0]: apiKeys entries must be a value, not an env: or file: reference: \(hint)",
            "tenant-service:acme:orgs[0].clientId: 'clientId' in orgs[0] must be a value, not an env: or file: reference: \(hint)",
            "tenant-service:acme:orgs[0].clientSecret: 'clientSecret' in orgs[0] must be a value, not an env: or file: reference: \(hint)",
        ])
        let allowed = try read(json, literalSecrets: TenantServiceSettings(url: "https://tenants.example", allowsReferences: true).literalSecrets)
        #expect(allowed.tenants[0].tenant?.orgs.first?.clientSecret == .file("/etc/shadow"))
    }

    @Test func anAcceptedSecretValueResolvesAndNeverPrints() throws {
        let document = try read(TenantServiceFixture.document(TenantServiceFixture.tenant("acme", clientSecret: "hunter2-value")))
        let tenant = try #require(document.tenants.first?.tenant)
        let secret = try #require(tenant.orgs.first?.clientSecret)
        #expect(try SecretResolver(environment: [:]).resolve(secret).reveal() == "hunter2-value")
        for shown in ["\(tenant)", String(reflecting: tenant), "\(secret)", String(reflecting: secret)] {
            #expect(!shown.contains("hunter2"))
        }
    }
}
