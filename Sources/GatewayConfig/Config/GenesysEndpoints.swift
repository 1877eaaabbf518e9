/// Where an org's Genesys Cloud lives: the API host and the login (OAuth) host.
public struct GenesysEndpoints: Sendable, Equatable {
    public var apiBaseURL: String
    public var loginBaseURL: String
    /// The region domain, when the endpoints came from one.
    public var region: String?

    public init(apiBaseURL: String, loginBaseURL: String, region: String? = nil) {
        self.apiBaseURL = apiBaseURL
        self.loginBaseURL = loginBaseURL
        self.region = region
    }

    /// Genesys Cloud's region domains (API.md, "Hosts and regions").
    public static let regionDomains: [String] = [
        "mypurecloud.com", "mypurecloud.ie", "mypurecloud.com.au", "mypurecloud.jp", "mypurecloud.de",
        "usw2.pure.cloud", "cac1.pure.cloud", "apne2.pure.cloud", "euw2.pure.cloud", "aps1.pure.cloud",
        "sae1.pure.cloud", "mec1.pure.cloud", "apne3.pure.cloud", "euc2.pure.cloud", "mxc1.pure.cloud",
        "apse1.pure.cloud", "use2.us-gov-pure.cloud",
    ]

    /// `https://api.<domain>` and `https://login.<domain>` for a known region domain.
    public static func forRegion(_ domain: String) -> GenesysEndpoints? {
        guard regionDomains.contains(domain) else { return nil }
        return GenesysEndpoints(apiBaseURL: "https://api.\(domain)", loginBaseURL: "https://login.\(domain)", region: domain)
    }
}
