/// Which hosts an org's `apiBaseURL` and `loginBaseURL` may name.
///
/// The login host receives the org's client secret, and the HTTP API passes the API host's answers on
/// (`GET /v1/conversations/{id}`): a tenant that can edit its config (a file it owns, the tenant service) could
/// otherwise send the secret anywhere or read an internal host through the gateway (a cloud metadata endpoint,
/// the admin API, another service). So by default only Genesys Cloud's own hosts are taken, `https://api.<region>`
/// and `https://login.<region>` of the known regions; the operator allows any other host by name (the sandbox, a
/// test double, a region this build does not know yet), as `--allow-genesys-host`.
public struct GenesysHostPolicy: Sendable, Equatable {
    /// Host names, in lower case, or `*.domain` (any host below `domain`), besides the regions' hosts.
    public let allowedHosts: [String]

    /// Only the known regions' hosts.
    public static let regionsOnly = GenesysHostPolicy(validated: [])

    private init(validated hosts: [String]) {
        allowedHosts = hosts
    }

    /// The policy that also takes `hosts` (names, IP addresses or `*.domain`; case does not matter).
    /// - Throws: a problem naming the first entry that is neither.
    public init(allowing hosts: [String]) throws(GenesysHostPolicyError) {
        var normalized: [String] = []
        for entry in hosts {
            let host = entry.lowercased()
            let name = host.hasPrefix("*.") ? String(host.dropFirst(2)) : host
            guard Self.isHostName(name) || (!host.hasPrefix("*.") && Self.isBracketedIPv6(host)) else {
                throw GenesysHostPolicyError(entry: entry)
            }
            normalized.append(host)
        }
        self.init(validated: normalized)
    }

    /// Why `url`, written as `key` (`apiBaseURL`, `loginBaseURL`), is not taken; nil when it is.
    public func refusal(of url: String, key: String) -> String? {
        guard let endpoint = Endpoint(url) else {
            return "'\(key)' \(url) must be http(s)://host[:port][/path] with a plain host name or IP address (no user name, no escapes)"
        }
        if endpoint.isHTTPS, endpoint.port == nil || endpoint.port == 443, Self.isRegionHost(endpoint.host) { return nil }
        if allows(endpoint.host) { return nil }
        return "'\(key)' host '\(endpoint.host)' is not a Genesys Cloud region's (https://api.<region>, https://login.<region>); an operator allows other hosts with --allow-genesys-host"
    }

    private func allows(_ host: String) -> Bool {
        allowedHosts.contains { entry in
            entry.hasPrefix("*.") ? host.hasSuffix(entry.dropFirst(1)) : host == entry
        }
    }

    private static func isRegionHost(_ host: String) -> Bool {
        GenesysEndpoints.regionDomains.contains { host == "api.\($0)" || host == "login.\($0)" }
    }

    /// Letters, digits, `-` and `.` only (which also covers IPv4 addresses); no empty label.
    static func isHostName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 253
            && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
                !label.isEmpty && label.utf8.allSatisfy { byte in
                    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                        || byte == UInt8(ascii: "-")
                }
            }
    }

    static func isBracketedIPv6(_ text: String) -> Bool {
        text.count > 2 && text.hasPrefix("[") && text.hasSuffix("]")
            && text.dropFirst().dropLast().utf8.allSatisfy { byte in
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                    || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".")
            }
    }

    /// Scheme, host and port of a base URL, read strictly: anything a URL parser could read two ways (a user
    /// name, `%` escapes, a backslash) is refused rather than guessed at, since libcurl must reach the host read here.
    struct Endpoint {
        var isHTTPS: Bool
        var host: String
        var port: Int?

        init?(_ url: String) {
            let rest: Substring
            if url.hasPrefix("https://") {
                isHTTPS = true
                rest = url.dropFirst("https://".count)
            } else if url.hasPrefix("http://") {
                isHTTPS = false
                rest = url.dropFirst("http://".count)
            } else {
                return nil
            }
            let authority = String(rest.prefix { $0 != "/" }).lowercased()
            let path = rest.drop { $0 != "/" }
            guard !path.contains(where: { $0 == "?" || $0 == "#" || $0 == "\\" || $0 == "%" || $0 == "@" || $0 == " " })
            else { return nil }
            var hostPart = Substring(authority)
            port = nil
            if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
                let digits = authority[authority.index(after: colon)...]
                guard (1...5).contains(digits.utf8.count),
                      digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                      let number = Int(digits), (1...65_535).contains(number)
                else { return nil }
                port = number
                hostPart = authority[..<colon]
            }
            host = String(hostPart)
            guard GenesysHostPolicy.isHostName(host) || GenesysHostPolicy.isBracketedIPv6(host) else { return nil }
        }
    }
}

/// An `--allow-genesys-host` entry that is not a host.
public struct GenesysHostPolicyError: Error, CustomStringConvertible, Sendable {
    public var entry: String
    public var description: String {
        "'\(entry)' is not a host name, an IP address or *.domain"
    }
}
