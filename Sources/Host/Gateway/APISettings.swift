/// Where and how `run` serves the HTTP API.
public struct APISettings: Sendable {
    public var host: String
    /// 0 picks a free port (tests); `onServerRunning` learns which.
    public var port: Int
    /// The admin API's key; nil switches the admin API off.
    public var adminKey: Secret?
    /// How long an API request waits for its org's rate limiter before it is answered 429.
    public var maxLimiterWait: Duration
    public var onServerRunning: @Sendable (Int) async -> Void

    public init(
        host: String = "127.0.0.1", port: Int = 8480, adminKey: Secret? = nil, maxLimiterWait: Duration = .seconds(2),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.host = host
        self.port = port
        self.adminKey = adminKey
        self.maxLimiterWait = maxLimiterWait
        self.onServerRunning = onServerRunning
    }
}

extension ConfigReloader: ConfigReloading {}
