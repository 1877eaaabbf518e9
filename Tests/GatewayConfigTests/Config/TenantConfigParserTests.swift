import GatewayTestSupport
import Testing
@testable import GatewayYAML
@testable import GatewayConfig

/// The YAML → TenantConfig path: values, defaults, and every error with its file:line:column.
@Suite struct TenantConfigParserTests {
    static let validTenant = """
        id: acme
        displayName: Acme Corp
        apiKeys: [env:ACME_KEY]
        defaults:
          retry:
            maxAttempts: 4
        plugins:
          text:
            maxTextLength: 100
            nested: {flag: true, list: [1, "two"]}
        orgs:
          - name: us
            default: true
            region: mypurecloud.ie
            clientId: acme-client
            clientSecret: env:ACME_SECRET
            integrationId: int-1
            webhookSecret: file:/run/secrets/acme-webhook
            messageTypes: [text, media]
            rateLimit: {messagesPerSecond: 2.5, burst: 5}
          - name: eu
            apiBaseURL: http://127.0.0.1:9410/
            loginBaseURL: http://127.0.0.1:9411
            clientId: env:EU_CLIENT_ID
            clientSecret: env:EU_SECRET
            integrationId: int-2
            retry: {baseDelayMs: 100}
        """

    func load(_ yaml: String) -> (TenantConfig?, [String]) {
        let folder = TemporaryDirectory()
        let file = folder.write("tenant.yaml", yaml)
        let (tenant, errors) = TenantConfigLoader().loadFile(file)
        // Strip the temp folder so expectations read as "tenant.yaml:3:5: ...".
        return (tenant, errors.map { $0.description.replacingOccurrences(of: folder.path + "/", with: "") })
    }

    @Test func parsesValuesAndAppliesDefaultsInOrder() throws {
        let (tenant, errors) = load(Self.validTenant)
        #expect(errors == [])
        let config = try #require(tenant)
        #expect(config.id == "acme")
        #expect(config.enabled)
        #expect(config.apiKeys == [.environment("ACME_KEY")])
        #expect(config.defaultOrg?.name == "us")

        let us = try #require(config.org(named: "us"))
        #expect(us.endpoints == GenesysEndpoints(apiBaseURL: "https://api.mypurecloud.ie", loginBaseURL: "https://login.mypurecloud.ie", region: "mypurecloud.ie"))
        #expect(us.clientID == .literal("acme-client"))
        #expect(us.clientSecret == .environment("ACME_SECRET"))
        #expect(us.webhookSecrets == [.file("/run/secrets/acme-webhook")])
        #expect(us.messageTypes.map(\.value) == ["text", "media"])
        #expect(us.messageTypes.first?.mark == SourceMark(line: 19, column: 20))
        #expect(us.rateLimit == RateLimitSettings(messagesPerSecond: 2.5, burst: 5))
        #expect(us.retry.maxAttempts == 4)  // tenant default over the built-in one
        #expect(us.retry.baseDelayMilliseconds == ConfigDefaults.retry.baseDelayMilliseconds)
        #expect(us.errorPolicy.value == "default")
        #expect(us.circuitBreaker == ConfigDefaults.circuitBreaker)

        let eu = try #require(config.org(named: "eu"))
        #expect(eu.endpoints.apiBaseURL == "http://127.0.0.1:9410")  // trailing slash trimmed
        #expect(eu.endpoints.loginBaseURL == "http://127.0.0.1:9411")
        #expect(eu.clientID == .environment("EU_CLIENT_ID"))
        #expect(eu.retry.maxAttempts == 4)
        #expect(eu.retry.baseDelayMilliseconds == 100)  // org over tenant over built-in
        #expect(eu.messageTypes.map(\.value) == ConfigDefaults.messageTypes)
        #expect(eu.rateLimit == ConfigDefaults.rateLimit)
    }

    @Test func pluginSettingsBecomeJSON() throws {
        let (tenant, _) = load(Self.validTenant)
        let settings = try #require(tenant?.pluginSettings["text"])
        #expect(settings == #"{"maxTextLength":100,"nested":{"flag":true,"list":[1,"two"]}}"#)
    }

    @Test(arguments: [
        ("  - name: us\n    colour: blue", "tenant.yaml:5:5: unknown key 'colour' in orgs[0]"),
        ("  - name: us\n    rateLimit: {messagesPerSecond: 0}", "tenant.yaml:5:36: 'messagesPerSecond' in orgs[0] rateLimit must be greater than 0 and at most 100000, got 0"),
        ("  - name: us\n    rateLimit: {burst: ten}", "tenant.yaml:5:24: 'burst' in orgs[0] rateLimit must be a whole number"),
        ("  - name: us\n    rateLimit: {burst: \"10\"}", "tenant.yaml:5:24: 'burst' in orgs[0] rateLimit must be a whole number"),
        ("  - name: us\n    circuitBreaker: {failureThresholdPercent: 150}", "tenant.yaml:5:47: 'failureThresholdPercent' in orgs[0] circuitBreaker must be greater than 0 and at most 100, got 150"),
        ("  - name: us\n    retry: [1, 2]", "tenant.yaml:5:12: orgs[0] retry must be a mapping, got a sequence"),
        ("  - name: us\n    default: yes", "tenant.yaml:5:14: 'default' in orgs[0] must be true or false"),
        ("  - name: us\n    messageTypes: text", "tenant.yaml:5:19: 'messageTypes' in orgs[0] must be a list, got a scalar"),
    ])
    func reportsWrongTypesAndUnknownKeysWithPosition(orgLines: String, expected: String) {
        let yaml = """
            id: acme
            apiKeys: [env:K]
            orgs:
            \(orgLines)
                region: mypurecloud.com
                clientId: c
                clientSecret: env:S
                integrationId: i
            """
        let (tenant, errors) = load(yaml)
        #expect(tenant == nil)
        #expect(errors.contains { $0.hasPrefix(expected) }, "got \(errors)")
    }

    /// A rotation under way: the org lists the new webhook secret and the old one; three is not a rotation.
    @Test func webhookSecretMayListTwoSecretsDuringARotation() throws {
        func org(_ webhookSecret: String) -> (TenantConfig?, [String]) {
            load("""
                id: acme
                apiKeys: [env:K]
                orgs:
                  - name: us
                    region: mypurecloud.com
                    clientId: c
                    clientSecret: env:S
                    integrationId: i
                    webhookSecret: \(webhookSecret)
                """)
        }
        #expect(org("[env:NEW, file:/run/secrets/old]").0?.org(named: "us")?.webhookSecrets == [.environment("NEW"), .file("/run/secrets/old")])
        #expect(org("env:ONLY").0?.org(named: "us")?.webhookSecrets == [.environment("ONLY")])
        let (three, errors) = org("[env:A, env:B, env:C]")
        #expect(three == nil)
        #expect(errors.contains { $0.contains("'webhookSecret' in orgs[0] must be one secret reference or a list of 1 to 2, got 3") }, "got \(errors)")
        let (literal, literalErrors) = org("[env:A, hunter2]")
        #expect(literal == nil)
        #expect(literalErrors.contains { $0.contains("must be a secret reference") && !$0.contains("hunter2") }, "got \(literalErrors)")
    }

    @Test func unknownRegionNamesTheKnownOnes() {
        let (_, errors) = load("id: a\norgs:\n  - name: x\n    region: mypurecloud.moon\n    clientId: c\n    clientSecret: env:S\n    integrationId: i\n")
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("tenant.yaml:4:13: unknown region 'mypurecloud.moon' (known: mypurecloud.com, ") == true)
    }

    @Test func twoDefaultOrgsAndDuplicateNamesAreRefused() {
        let org = "    region: mypurecloud.com\n    clientId: c\n    clientSecret: env:S\n    integrationId: i\n    default: true\n"
        let (tenant, errors) = load("id: a\norgs:\n  - name: x\n" + org + "  - name: x\n" + org)
        #expect(tenant == nil)
        #expect(errors.contains("tenant.yaml:3:3: tenant 'a' has 2 default orgs (x, x); at most one may say 'default: true'"))
        #expect(errors.contains("tenant.yaml:3:3: tenant 'a' has two orgs named 'x'"))
    }

    @Test func severalOrgsNeedADefault() {
        let org = "    region: mypurecloud.com\n    clientId: c\n    clientSecret: env:S\n    integrationId: i\n"
        let (_, errors) = load("id: a\norgs:\n  - name: x\n" + org + "  - name: y\n" + org)
        #expect(errors == ["tenant.yaml:3:3: tenant 'a' has several orgs: mark one with 'default: true'"])
    }

    @Test func plainTextSecretsAreRefusedWithoutEchoingThem() {
        let (_, errors) = load("id: a\napiKeys: [sk-live-123]\norgs:\n  - name: x\n    region: mypurecloud.com\n    clientId: c\n    clientSecret: hunter2\n    integrationId: i\n")
        #expect(errors == [
            "tenant.yaml:2:11: apiKeys entries must be a secret reference 'env:NAME' or 'file:/absolute/path', not a literal value",
            "tenant.yaml:7:19: 'clientSecret' in orgs[0] must be a secret reference 'env:NAME' or 'file:/absolute/path', not a literal value",
        ])
        #expect(!errors.joined().contains("hunter2"))
        #expect(!errors.joined().contains("sk-live-123"))
    }

    @Test func missingRequiredKeysAreAllReported() {
        let (_, errors) = load("displayName: nobody\norgs:\n  - name: x\n")
        #expect(errors.contains("tenant.yaml:1:1: missing required key 'id' in tenant file"))
        #expect(errors.contains("tenant.yaml:3:5: missing required key 'clientId' in orgs[0]"))
        #expect(errors.contains("tenant.yaml:3:5: missing required key 'clientSecret' in orgs[0]"))
        #expect(errors.contains("tenant.yaml:3:5: missing required key 'integrationId' in orgs[0]"))
        #expect(errors.contains("tenant.yaml:3:5: orgs[0] needs a 'region' or both 'apiBaseURL' and 'loginBaseURL'"))
    }

    @Test func yamlSyntaxErrorsCarryTheirPosition() {
        let (_, errors) = load("id: acme\norgs:\n  - name: [unclosed\n")
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("tenant.yaml:4:1: ") == true, "got \(errors)")
    }

    @Test func duplicateKeysAreRefused() {
        let (_, errors) = load("id: a\nid: b\n")
        #expect(errors == ["tenant.yaml:2:1: duplicate key 'id'"])
    }
}
