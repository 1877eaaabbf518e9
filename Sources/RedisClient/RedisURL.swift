/// Where a Redis server is: `redis://HOST:PORT[/DB]`.
///
/// A password is never part of the URL (it would end up in logs and `ps`): the gateway resolves it from an
/// `env:`/`file:` reference and passes it next to the URL.
public struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// The logical database `SELECT`ed after connecting.
    public var database: Int

    /// The port Redis listens on unless told otherwise.
    public static let defaultPort = 6379

    public init(host: String, port: Int = RedisURL.defaultPort, database: Int = 0) {
        self.host = host
        self.port = port
        self.database = database
    }

    /// Parses `redis://HOST[:PORT][/DB]`; the port defaults to 6379 and the database to 0.
    /// `HOST` may be a name, an IPv4 address or a bracketed IPv6 address (`[::1]`).
    public init(parsing text: String) throws(RedisError) {
        // The error shows the URL without anything before an '@', which could be a password.
        let shown = text.lastIndex(of: "@").map { "redis://…" + text[text.index(after: $0)...] } ?? text
        func invalid(_ why: String) -> RedisError {
            RedisError(.invalidURL, operation: "parse URL", address: shown, message: why)
        }
        let scheme = "redis://"
        guard text.hasPrefix(scheme) else { throw invalid("expected redis://HOST:PORT[/DB]") }
        let rest = text.dropFirst(scheme.count)
        let authority: Substring
        let path: Substring?
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        } else {
            authority = rest
            path = nil
        }
        guard !authority.contains("@") else {
            throw invalid("credentials do not belong in the URL; pass the password by reference (env:/file:)")
        }
        let hostPart: Substring
        let portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid("unclosed '[' in IPv6 host") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                portPart = nil
            } else if after.hasPrefix(":") {
                portPart = after.dropFirst()
            } else {
                throw invalid("unexpected text after IPv6 host")
            }
        } else if let colon = authority.firstIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        } else {
            hostPart = authority
            portPart = nil
        }
        guard !hostPart.isEmpty else { throw invalid("missing host") }
        var port = Self.defaultPort
        if let portPart {
            guard let value = Int(portPart), (1...65535).contains(value) else {
                throw invalid("port must be a number in 1...65535, got '\(portPart)'")
            }
            port = value
        }
        var database = 0
        if let path, !path.isEmpty {
            guard let value = Int(path), value >= 0 else {
                throw invalid("database must be a non-negative number, got '\(path)'")
            }
            database = value
        }
        self.init(host: String(hostPart), port: port, database: database)
    }

    /// `host:port/db`, the address errors and logs name.
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(shownHost):\(port)/\(database)"
    }
}
