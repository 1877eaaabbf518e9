import Foundation
import GatewayTestSupport
import Testing
@testable import GatewayCore
@testable import GatewayConfig

/// The tenant service's document read by the tenant file rules: errors by field path, garbage refused as a
/// whole, secret values only from a safe URL and never shown.
@Suite struct TenantServiceDocumentTests {
    let validator = TenantConfigValidator(plugins: ReloadFixture.plugins, secrets: SecretResolver(environment: ["SECRET": "s", "KEY_ACME": "k"]))

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

    @Test(arguments: [
        ("https://tenants.example/v1", true), ("http://127.0.0.1:8080/t", true), ("http://localhost/t", true),
        ("http://[::1]:9000/t", true), ("http://tenants.internal/t", false), ("http://127.0.0.2:80/t", false),
        ("http://10.0.0.5/t", false),
    ])
    func secretValuesAreAcceptedOnlyOverHTTPSOrFromLoopback(_ url: String, _ accepted: Bool) {
        #expect((TenantServiceSettings(url: url).literalSecrets == .accepted) == accepted)
    }

    @Test func aRefusedSecretValueIsNamedButNeverShown() throws {
        let settings = TenantServiceSettings(url: "http://tenants.internal/t")
        let document = try read(
            TenantServiceFixture.document(TenantServiceFixture.tenant("acme", clientSecret: "hunter2-value")),
            literalSecrets: settings.literalSecrets)
        let errors = document.tenants[0].problems(validatedBy: validator).map(\.description)
        #expect(errors == [
            "tenant-service:acme:orgs[0].clientSecret: 'clientSecret' in orgs[0] must be a secret reference 'env:NAME' or 'file:/absolute/path', not a literal value: secret values are accepted only from a tenant service reached over https or on 127.0.0.1, ::1 or localhost, and http://tenants.internal/t is neither"
        ])
        #expect(!errors.joined().contains("hunter2"))
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
