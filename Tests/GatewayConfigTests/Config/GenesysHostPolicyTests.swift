import Testing
@testable import GatewayConfig

/// Which Genesys hosts an org may name: the regions' by default, others only as the operator allows.
@Suite struct GenesysHostPolicyTests {
    @Test(arguments: [
        "https://api.mypurecloud.com", "https://login.mypurecloud.ie", "https://api.usw2.pure.cloud/",
        "https://login.use2.us-gov-pure.cloud", "https://API.MYPURECLOUD.DE", "https://api.mypurecloud.jp:443",
    ])
    func theRegionsHostsAreTakenByDefault(url: String) {
        #expect(GenesysHostPolicy.regionsOnly.refusal(of: url, key: "apiBaseURL") == nil)
    }

    @Test(arguments: [
        "http://169.254.169.254", "http://127.0.0.1:9410", "https://metadata.google.internal",
        // A region's host over plain HTTP or another port is not Genesys Cloud's endpoint.
        "http://api.mypurecloud.com", "https://api.mypurecloud.com:8443",
        // Hosts that only look like a region's.
        "https://api.mypurecloud.com.evil.test", "https://evil-api.mypurecloud.com", "https://apimypurecloud.com",
        "https://mypurecloud.com",
    ])
    func otherHostsAreRefusedByDefaultNamingTheHostAndTheWayToAllowIt(url: String) throws {
        let refusal = try #require(GenesysHostPolicy.regionsOnly.refusal(of: url, key: "loginBaseURL"))
        #expect(refusal.contains("'loginBaseURL'"))
        #expect(refusal.contains("--allow-genesys-host"))
    }

    @Test(arguments: [
        // Read differently by different URL parsers: the host could be either side of the '@'.
        "https://api.mypurecloud.com@169.254.169.254", "https://user:pw@api.mypurecloud.com",
        "https://api.mypurecloud.com\\@evil.test", "https://api%2emypurecloud.com", "https://api.mypurecloud.com:0",
        "https://api.mypurecloud.com:99999", "https://api.mypurecloud.com:+443", "https://api.mypurecloud.com./",
        "https://api..mypurecloud.com", "ftp://api.mypurecloud.com", "https://", "https://api.mypurecloud.com/x?y=1",
        "https://api.mypurecloud.com/a b",
    ])
    func anythingAParserCouldReadTwoWaysIsRefused(url: String) throws {
        let policy = try GenesysHostPolicy(allowing: ["*.mypurecloud.com", "169.254.169.254", "evil.test"])
        let refusal = try #require(policy.refusal(of: url, key: "apiBaseURL"), "\(url) was taken")
        #expect(refusal.contains("'apiBaseURL'"))
    }

    @Test func theOperatorAllowsHostsByNameAddressOrDomain() throws {
        let policy = try GenesysHostPolicy(allowing: ["127.0.0.1", "Sandbox.Internal", "*.genesys.test", "[::1]"])
        for url in [
            "http://127.0.0.1:9410", "http://sandbox.internal", "https://SANDBOX.internal:8443/base",
            "http://acme-main.genesys.test", "http://a.b.genesys.test", "http://[::1]:9410",
        ] {
            #expect(policy.refusal(of: url, key: "apiBaseURL") == nil, "\(url)")
        }
        for url in ["http://127.0.0.2", "http://genesys.test", "http://xgenesys.test", "http://sandbox.internal.evil.test"] {
            #expect(policy.refusal(of: url, key: "apiBaseURL") != nil, "\(url)")
        }
        // The regions' hosts stay allowed beside the operator's.
        #expect(policy.refusal(of: "https://api.mypurecloud.com", key: "apiBaseURL") == nil)
    }

    @Test(arguments: ["", "*", "*.", "http://127.0.0.1", "host:80", "a b", "*.*.test", "x/y", "[zz::1]", "*.[::1]"])
    func anAllowanceThatIsNotAHostIsRefused(entry: String) {
        #expect(throws: GenesysHostPolicyError.self) { try GenesysHostPolicy(allowing: [entry]) }
    }
}
