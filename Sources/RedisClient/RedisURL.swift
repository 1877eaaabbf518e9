/// Where a Redis server is and how to reach it: `redis://[USER@]HOST:PORT[/DB]` in the clear, or
/// `rediss://[USER@]HOST:PORT[/DB][?ssl_…]` over TLS (redis-py's conventions; see ``init(parsing:)``).
///
/// A password is never part of the URL (it would end up in logs and `ps`): the gateway resolves it from an
/// `env:`/`file:` reference and passes it next to the URL. The ACL user name may be in the URL; it is not a
/// secret.
public struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// The logical database `SELECT`ed after connecting.
    public var database: Int
    /// The ACL user `AUTH` names (`AUTH user password`); nil authenticates as the `default` user (`AUTH password`).
    public var user: String?
    /// TLS settings for `rediss://`; nil for a plain TCP connection.
    public var tls: RedisTLS?

    /// The port Redis listens on unless told otherwise (for `rediss://` too, as in redis-py).
    public static let defaultPort = 6379

    public init(host: String, port: Int = RedisURL.defaultPort, database: Int = 0, user: String? = nil, tls: RedisTLS? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.user = user
        self.tls = tls
    }

    /// `host:port/db`, the address errors and logs name.
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(shownHost):\(port)/\(database)"
    }

    /// The whole URL as it can be logged: scheme, user, address and TLS parameters (there is never a password
    /// in it).
    public var redacted: String {
        let scheme = tls == nil ? "redis" : "rediss"
        let userPart = user.map { "\($0)@" } ?? ""
        var query: [String] = []
        if let tls {
            if let file = tls.caCertificatesFile { query.append("ssl_ca_certs=\(file)") }
            if let file = tls.certificateFile { query.append("ssl_certfile=\(file)") }
            if let file = tls.keyFile { query.append("ssl_keyfile=\(file)") }
            if tls.certificateRequirement != .required { query.append("ssl_cert_reqs=\(tls.certificateRequirement.rawValue)") }
            if tls.checksHostname != (tls.certificateRequirement != .none) {
                query.append("ssl_check_hostname=\(tls.checksHostname)")
            }
        }
        return "\(scheme)://\(userPart)\(description)" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }
}
