public import GatewayCore
public import HTTPAPI
/// Where and how `run` serves the HTTP API.
public struct APISettings: Sendable {
    /// One listening address, and who learns the bound port.
    public struct Listener: Sendable {
        public var host: String
        /// 0 picks a free port (tests); `onServerRunning` learns which.
        public var port: Int
        public var onServerRunning: @Sendable (Int) async -> Void

        public init(host: String = "127.0.0.1", port: Int, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) {
            self.host = host
            self.port = port
            self.onServerRunning = onServerRunning
        }
    }

    public var host: String
    /// 0 picks a free port (tests); `onServerRunning` learns which.
    public var port: Int
    /// The admin API's key; nil switches the admin API off.
    public var adminKey: Secret?
    /// How long an API request waits for its org's rate limiter before it is answered 429.
    public var maxLimiterWait: Duration
    public var onServerRunning: @Sendable (Int) async -> Void
    /// The operations listener (`/metrics`, `/admin`, `/health`, `/ready`); when set, the public listener serves
    /// neither `/metrics` nor `/admin`.
    public var operations: Listener?
    /// Without an operations listener: serve `/metrics` on the public listener without the admin key.
    public var publicMetrics: Bool
    /// HTTPS on both listeners with one certificate; nil serves plain HTTP.
    public var tls: TLSSettings?

    public init(
        host: String = "127.0.0.1", port: Int = 8480, adminKey: Secret? = nil, maxLimiterWait: Duration = .seconds(2),
        operations: Listener? = nil, publicMetrics: Bool = false, tls: TLSSettings? = nil,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.tls = tls
        self.host = host
        self.port = port
        self.adminKey = adminKey
        self.maxLimiterWait = maxLimiterWait
        self.operations = operations
        self.publicMetrics = publicMetrics
        self.onServerRunning = onServerRunning
    }

    /// What the public listener serves.
    var publicListener: APIListener {
        operations == nil ? .single(openMetrics: publicMetrics) : .publicOnly
    }
}

extension ConfigReloader: ConfigReloading {}
