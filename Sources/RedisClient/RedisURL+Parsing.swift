import Foundation

extension RedisURL {
    /// The query parameters a `rediss://` URL may carry: redis-py's names, so the same URL works there and here.
    public static let tlsParameters = ["ssl_ca_certs", "ssl_certfile", "ssl_keyfile", "ssl_cert_reqs", "ssl_check_hostname"]

    /// Parses `redis://[USER@]HOST[:PORT][/DB]` or `rediss://[USER@]HOST[:PORT][/DB][?PARAMETERS]`; the port
    /// defaults to 6379 and the database to 0. `HOST` may be a name, an IPv4 address or a bracketed IPv6 address
    /// (`[::1]`). `USER` is the ACL user name (percent-encoded like redis-py's); a password (`USER:PASSWORD@`) is
    /// refused, it goes by reference. The parameters are ``tlsParameters``, each at most once: `ssl_cert_reqs` is
    /// `required` (default), `optional` or `none`; `ssl_check_hostname` is `true` or `false`. Any other parameter is
    /// refused by name (a typo must not silently weaken TLS).
    /// - Throws: ``RedisError`` with code `invalidURL`, naming what is wrong; the text shown never holds what was
    ///   before an `@`.
    public init(parsing text: String) throws(RedisError) {
        let isTLS: Bool
        let rest: Substring
        if text.hasPrefix("rediss://") {
            isTLS = true
            rest = text.dropFirst("rediss://".count)
        } else if text.hasPrefix("redis://") {
            isTLS = false
            rest = text.dropFirst("redis://".count)
        } else {
            throw Self.invalid(text, "expected redis://HOST:PORT[/DB] or rediss://HOST:PORT[/DB][?ssl_…]")
        }
        let beforeQuery = rest.firstIndex(of: "?").map { rest[..<$0] } ?? rest
        let queryText = rest.firstIndex(of: "?").map { rest[rest.index(after: $0)...] }
        guard !rest.contains("#") else { throw Self.invalid(text, "a URL fragment ('#') means nothing here") }

        let location: Substring
        let path: Substring?
        if let slash = beforeQuery.firstIndex(of: "/") {
            location = beforeQuery[..<slash]
            path = beforeQuery[beforeQuery.index(after: slash)...]
        } else {
            location = beforeQuery
            path = nil
        }
        var user: String?
        let authority: Substring
        if let at = location.lastIndex(of: "@") {
            let userInfo = location[..<at]
            guard !userInfo.contains(":") else {
                throw Self.invalid(text, "a password does not belong in the URL; pass the password by reference (env:/file:)")
            }
            guard !userInfo.isEmpty, let decoded = String(userInfo).removingPercentEncoding, !decoded.isEmpty else {
                throw Self.invalid(text, "the user name before '@' is empty or badly percent-encoded")
            }
            user = decoded
            authority = location[location.index(after: at)...]
        } else {
            authority = location
        }
        let (host, port) = try Self.hostAndPort(authority, text: text)
        var database = 0
        if let path, !path.isEmpty {
            guard let value = Int(path), value >= 0 else {
                throw Self.invalid(text, "database must be a non-negative number, got '\(Self.echo(path, text))'")
            }
            database = value
        }
        let parameters = try Self.parameters(queryText, text: text)
        var tls: RedisTLS?
        if isTLS {
            tls = try Self.tls(parameters, text: text)
        } else if let name = parameters.keys.sorted().first {
            throw Self.invalid(text, "query parameter '\(name)' needs rediss:// (TLS)")
        }
        self.init(host: host, port: port, database: database, user: user, tls: tls)
    }

    private static func hostAndPort(_ authority: Substring, text: String) throws(RedisError) -> (String, Int) {
        let hostPart: Substring
        let portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid(text, "unclosed '[' in IPv6 host") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                portPart = nil
            } else if after.hasPrefix(":") {
                portPart = after.dropFirst()
            } else {
                throw invalid(text, "unexpected text after IPv6 host")
            }
        } else if let colon = authority.firstIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        } else {
            hostPart = authority
            portPart = nil
        }
        guard !hostPart.isEmpty else { throw invalid(text, "missing host") }
        var port = defaultPort
        if let portPart {
            guard let value = Int(portPart), (1...65535).contains(value) else {
                throw invalid(text, "port must be a number in 1...65535, got '\(echo(portPart, text))'")
            }
            port = value
        }
        return (String(hostPart), port)
    }

    /// `name=value&…`, percent-decoded, each name known and given once.
    private static func parameters(_ query: Substring?, text: String) throws(RedisError) -> [String: String] {
        guard let query, !query.isEmpty else { return [:] }
        var parameters: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            guard let equals = pair.firstIndex(of: "=") else {
                throw invalid(text, "query parameter '\(echo(pair, text))' has no value (expected name=value)")
            }
            let name = String(pair[..<equals])
            guard tlsParameters.contains(name) else {
                throw invalid(text, "unknown query parameter '\(echo(name, text))' (known: \(tlsParameters.joined(separator: ", ")))")
            }
            guard parameters[name] == nil else { throw invalid(text, "query parameter '\(name)' is given twice") }
            guard let value = String(pair[pair.index(after: equals)...]).removingPercentEncoding, !value.isEmpty else {
                throw invalid(text, "query parameter '\(name)' is empty or badly percent-encoded")
            }
            parameters[name] = value
        }
        return parameters
    }

    private static func tls(_ parameters: [String: String], text: String) throws(RedisError) -> RedisTLS {
        var requirement = RedisTLS.CertificateRequirement.required
        if let value = parameters["ssl_cert_reqs"] {
            guard let parsed = RedisTLS.CertificateRequirement(rawValue: value) else {
                throw invalid(text, "ssl_cert_reqs must be required, optional or none, got '\(echo(value, text))'")
            }
            requirement = parsed
        }
        var checksHostname: Bool?
        if let value = parameters["ssl_check_hostname"] {
            switch value.lowercased() {
            case "true", "yes", "1": checksHostname = true
            case "false", "no", "0": checksHostname = false
            default: throw invalid(text, "ssl_check_hostname must be true or false, got '\(echo(value, text))'")
            }
        }
        if checksHostname == true, requirement == .none {
            throw invalid(text, "ssl_check_hostname=true needs the certificate checked (ssl_cert_reqs=required)")
        }
        if parameters["ssl_keyfile"] != nil, parameters["ssl_certfile"] == nil {
            throw invalid(text, "ssl_keyfile needs ssl_certfile (the client certificate it belongs to)")
        }
        return RedisTLS(
            caCertificatesFile: parameters["ssl_ca_certs"], certificateFile: parameters["ssl_certfile"],
            keyFile: parameters["ssl_keyfile"], certificateRequirement: requirement, checksHostname: checksHostname)
    }

    /// The error for `text`, shown without anything between the scheme and an `@` (it could hold a password).
    private static func invalid(_ text: String, _ why: String) -> RedisError {
        RedisError(.invalidURL, operation: "parse URL", address: shown(text), message: why)
    }

    /// Everything up to the last `@` is hidden: a password may hold `/`, `?` or `@` itself, unencoded.
    private static func shown(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@") else { return text }
        let scheme = text.hasPrefix("rediss://") ? "rediss://" : "redis://"
        return scheme + "…" + text[at...]
    }

    /// A piece of the URL quoted in an error, unless the URL has an `@`: then the piece could be part of a password
    /// that held a `/` or `?` and split the URL in the wrong place.
    private static func echo(_ piece: some StringProtocol, _ text: String) -> String {
        text.contains("@") ? "(not shown: the URL has an '@')" : String(piece)
    }
}
