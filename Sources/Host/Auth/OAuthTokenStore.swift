import Foundation
import Logging

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

        public init(loginBaseURL: String, clientID: Secret, clientSecret: Secret, connectTimeout: Duration, totalTimeout: Duration) {
            self.loginBaseURL = loginBaseURL
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.connectTimeout = connectTimeout
            self.totalTimeout = totalTimeout
        }
    }

    private let org: OrgKey
    private let credentials: Credentials
    private let http: any HTTPClient
    private let clock: any MonotonicClock
    private let logger: Logger

    private var current: AccessToken?
    private var renewal: Task<AccessToken, any Error>?
    private var consecutiveFailures = 0
    private var lastFailure: TokenError?
    /// Token requests made so far (for metrics and tests).
    public private(set) var renewals = 0

    static let firstPause = Duration.seconds(1)
    static let maximumPause = Duration.seconds(60)

    public init(org: OrgKey, credentials: Credentials, http: any HTTPClient, clock: any MonotonicClock, logger: Logger) {
        self.org = org
        self.credentials = credentials
        self.http = http
        self.clock = clock
        var logger = logger
        logger[metadataKey: "tenant.id"] = "\(org.tenantID)"
        logger[metadataKey: "org.name"] = "\(org.orgName)"
        self.logger = logger
    }

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
        if let lastFailure, clock.now() < lastFailure.retryAt {
            return Task { throw lastFailure }
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
            let (value, lifetime) = try await requestToken()
            let token = AccessToken(
                value: value, renewAt: AccessToken.renewalTime(issued: issued, lifetime: lifetime), expiresAt: issued + lifetime)
            current = token
            consecutiveFailures = 0
            lastFailure = nil
            logger.debug("token renewed", metadata: ["token.lifetime.s": "\(lifetime.components.seconds)"])
            return token
        } catch let failure as FailedRequest {
            consecutiveFailures += 1
            // The login host's own Retry-After (on 429/503) wins over the doubling pause.
            let pause = failure.retryAfter.map { min($0, Self.maximumPause) }
                ?? min(Self.firstPause * (1 << min(consecutiveFailures - 1, 16)), Self.maximumPause)
            let error = TokenError(org: org, reason: failure.reason, retryAt: clock.now() + pause, correlationID: failure.correlationID)
            lastFailure = error
            logger.error("token renewal failed", metadata: ["error": "\(error)", "retry.in.s": "\(pause.components.seconds)"])
            throw error
        }
    }

    private struct FailedRequest: Error {
        var reason: TokenError.Reason
        var correlationID: String?
        var retryAfter: Duration?
    }

    private struct TokenResponse: Decodable {
        var access_token: String
        var expires_in: Int
    }

    private struct OAuthErrorResponse: Decodable {
        var error: String?
        var description: String?
        var error_description: String?
    }

    /// `POST {login}/oauth/token` with Basic auth and `grant_type=client_credentials`.
    private func requestToken() async throws -> (Secret, Duration) {
        let basic = Data("\(credentials.clientID.reveal()):\(credentials.clientSecret.reveal())".utf8).base64EncodedString()
        let request = HTTPRequest(
            method: "POST", url: credentials.loginBaseURL + "/oauth/token",
            headers: [("Authorization", "Basic \(basic)"), ("Content-Type", "application/x-www-form-urlencoded")],
            body: Array("grant_type=client_credentials".utf8),
            connectTimeout: credentials.connectTimeout, totalTimeout: credentials.totalTimeout)
        let response: HTTPResponse
        do {
            response = try await http.execute(request)
        } catch let error as TransportError {
            throw FailedRequest(reason: .transport(error))
        }
        guard response.status == 200 else {
            let body = try? JSONDecoder().decode(OAuthErrorResponse.self, from: Data(response.body))
            throw FailedRequest(
                reason: .rejected(status: response.status, error: body?.error, description: body?.error_description ?? body?.description),
                correlationID: response.correlationID, retryAfter: response.retryAfter)
        }
        guard let token = try? JSONDecoder().decode(TokenResponse.self, from: Data(response.body)), !token.access_token.isEmpty,
              token.expires_in > 0
        else {
            throw FailedRequest(reason: .malformedResponse("no access_token/expires_in"), correlationID: response.correlationID)
        }
        return (Secret(token.access_token), .seconds(token.expires_in))
    }
}
