/// How a ``RedisClient`` connects, and how long it waits.
public struct RedisConfiguration: Sendable {
    /// The server.
    public var url: RedisURL
    /// Sent with `AUTH` after connecting; the caller resolves it from its `env:`/`file:` reference.
    public var password: String?
    /// Shown by `CLIENT LIST`, so an operator can tell the gateway's connections apart.
    public var clientName: String?
    /// Bound on a TCP connect (and on each read or write of a TLS handshake). Callers' commands wait at most about
    /// this long for a (re)connect.
    public var connectTimeout: Duration
    /// Bound on each round trip's send and read; a reply slower than this fails with `timeout` and the
    /// connection is replaced (hiredis cannot resynchronise a half-read reply stream).
    public var commandTimeout: Duration
    /// The first wait before reconnecting after a failed connect; doubles on every failure in a row.
    public var initialBackoff: Duration
    /// The longest wait between two connect attempts.
    public var maximumBackoff: Duration
    /// The most commands sent in one round trip; more wait for the next one (bounds a round trip's size).
    public var maximumPipeline: Int
    /// Refuse a server older than this at every connect (`unsupportedServer`); nil accepts any. The version is asked
    /// with `HELLO` in the connect's round trip, so the check costs no extra one.
    public var minimumServerVersion: RedisServerVersion?

    /// - Parameters: see the properties; the defaults suit a Redis on the same network (loopback or LAN).
    public init(
        url: RedisURL, password: String? = nil, clientName: String? = nil,
        connectTimeout: Duration = .seconds(1), commandTimeout: Duration = .seconds(1),
        initialBackoff: Duration = .milliseconds(100), maximumBackoff: Duration = .seconds(5),
        maximumPipeline: Int = 512, minimumServerVersion: RedisServerVersion? = nil
    ) {
        self.url = url
        self.password = password
        self.clientName = clientName
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.maximumPipeline = max(1, maximumPipeline)
        self.minimumServerVersion = minimumServerVersion
    }
}
