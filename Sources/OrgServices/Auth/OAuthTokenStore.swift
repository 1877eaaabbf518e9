public import GatewayCore
public import Logging

/// One org's OAuth client-credentials token: cached, renewed before expiry, one renewal in flight at a time.
///
/// Callers get the cached token while it is fresh. Past its renewal point (see
/// ``AccessToken/renewalTime(issued:lifetime:)``) one background renewal starts and callers keep the
/// still-valid token; once expired (or invalidated after a 401) they wait for that single renewal. A failing
/// login host is retried with doubling pauses (1 s up to 60 s) or after its own Retry-After, never in a tight
/// loop; during a pause callers get the last ``TokenError`` at once.
public actor OAuthTokenStore: TokenProviding {
    public struct Credentials: Sendable {
        public var loginBaseURL: String
        public var clientID: Secret
        public var clientSecret: Secret
        public var connectTimeout: Duration
        public var totalTimeout: Duration
        /// The org's CAs, client certificate and proxy for its login host (its `http:` block).
        public var transport: HTTPTransportSettings

        public init(
            loginBaseURL: String, clientID: Secret, clientSecret: Secret, connectTimeout: Duration, totalTimeout: Duration,
            transport: HTTPTransportSettings = HTTPTransportSettings()
        ) {
            self.loginBaseURL = loginBaseURL
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.connectTimeout = connectTimeout
            self.totalTimeout = totalTimeout
            self.transport = transport
        }
    }

    private let org: OrgKey
    private let login: OAuthTokenRequest
    private let clock: any MonotonicClock
    private let logger: Logger

    private var current: AccessToken? {
        didSet { held.hold(current) }
    }
    private nonisolated let held: HeldTokenExpiry
    private var renewal: Task<AccessToken, any Error>?
    private var failures = TokenRenewalFailures()
    /// Token requests made so far (for metrics and tests).
    public private(set) var renewals = 0

    public init(org: OrgKey, credentials: Credentials, http: any HTTPClient, clock: any MonotonicClock, logger: Logger) {
        self.org = org
        login = OAuthTokenRequest(credentials: credentials, http: http)
        self.clock = clock
        held = HeldTokenExpiry(clock: clock)
        var logger = logger
        logger[metadataKey: "tenant.id"] = "\(org.tenantID)"
        logger[metadataKey: "org.name"] = "\(org.orgName)"
        self.logger = logger
    }

    public nonisolated var holdsUsableToken: Bool { held.isUsable }

    public func token() async throws -> AccessToken {
        let now = clock.now()
        if let current, now < current.expiresAt {
            if now >= current.renewAt { startRenewal(waiting: false) }
            return current
        }
        return try await startRenewal(waiting: true).value
    }

    public func invalidate(_ token: AccessToken) {
        guard current == token else { return }  // already replaced by a newer one
        logger.info("token refused by Genesys, renewing")
        current = nil
    }

    /// The renewal in flight, or a new one. A new one is not started while backing off after a failure.
    @discardableResult
    private func startRenewal(waiting: Bool) -> Task<AccessToken, any Error> {
        if let renewal { return renewal }
        if let pending = failures.pending(at: clock.now()) {
            return Task { throw pending }
        }
        let task = Task { try await self.renew() }
        renewal = task
        return task
    }

    private func renew() async throws -> AccessToken {
        defer { renewal = nil }
        renewals += 1
        let issued = clock.now()
        do {
            let grant = try await login.execute()
            let lifetime = grant.lifetime
            let token = AccessToken(
                value: grant.value, renewAt: AccessToken.renewalTime(issued: issued, lifetime: lifetime), expiresAt: issued + lifetime)
            current = token
            failures.reset()
            logger.debug("token renewed", metadata: ["token.lifetime.s": "\(lifetime.components.seconds)"])
            return token
        } catch let failure as OAuthTokenRequest.Failure {
            throw failures.record(failure, org: org, now: clock.now(), logger: logger)
        }
    }
}
