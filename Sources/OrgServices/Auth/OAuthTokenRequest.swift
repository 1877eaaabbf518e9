import Foundation
import GatewayCore

/// One client-credentials token request to an org's login host, and the pause after a failed one.
///
/// Shared by every token store (the in-memory ``OAuthTokenStore`` and the cluster-wide ``RedisTokenStore``),
/// so both ask the login host the same way and back off the same way.
struct OAuthTokenRequest: Sendable {
    let credentials: OAuthTokenStore.Credentials
    let http: any HTTPClient

    /// Why a request got no token: what ``TokenError`` reports, plus the login host's own Retry-After.
    struct Failure: Error {
        var reason: TokenError.Reason
        var correlationID: String?
        var retryAfter: Duration?
    }

    /// The token and how long it lives.
    struct Grant {
        var value: Secret
        var lifetime: Duration
    }

    /// The longest lifetime taken from a login answer: Genesys' tokens live a day by default and at most two
    /// (`expires_in` is the login host's word, so a larger one is clamped before any arithmetic on it).
    static let longestLifetimeSeconds = 2 * 86_400
    /// A token answer is well under 4 KB; an error answer too.
    static let maxResponseBytes = 64 * 1024

    static let firstPause = Duration.seconds(1)
    static let maximumPause = Duration.seconds(60)

    /// How long to wait before asking again after `consecutiveFailures` failures in a row: the login host's own
    /// Retry-After (on 429/503) wins over a pause doubling from 1 s to 60 s.
    static func pause(afterFailures consecutiveFailures: Int, retryAfter: Duration?) -> Duration {
        retryAfter.map { min($0, maximumPause) }
            ?? min(firstPause * (1 << min(max(consecutiveFailures, 1) - 1, 16)), maximumPause)
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
    /// - Throws: ``Failure`` when the login host gave no token; cancellation as it comes.
    func execute() async throws -> Grant {
        let basic = Data("\(credentials.clientID.reveal()):\(credentials.clientSecret.reveal())".utf8).base64EncodedString()
        let request = HTTPRequest(
            method: "POST", url: credentials.loginBaseURL + "/oauth/token",
            headers: [("Authorization", "Basic \(basic)"), ("Content-Type", "application/x-www-form-urlencoded")],
            body: Array("grant_type=client_credentials".utf8),
            connectTimeout: credentials.connectTimeout, totalTimeout: credentials.totalTimeout, maxResponseBytes: Self.maxResponseBytes,
            transport: credentials.transport)
        let response: HTTPResponse
        do {
            response = try await http.execute(request)
        } catch let error as TransportError {
            throw Failure(reason: .transport(error))
        }
        guard response.status == 200 else {
            let body = try? JSONDecoder().decode(OAuthErrorResponse.self, from: Data(response.body))
            throw Failure(
                reason: .rejected(status: response.status, error: body?.error, description: body?.error_description ?? body?.description),
                correlationID: response.correlationID, retryAfter: response.retryAfter)
        }
        guard let token = try? JSONDecoder().decode(TokenResponse.self, from: Data(response.body)), !token.access_token.isEmpty,
            token.expires_in > 0
        else {
            throw Failure(reason: .malformedResponse("no access_token/expires_in"), correlationID: response.correlationID)
        }
        return Grant(value: Secret(token.access_token), lifetime: .seconds(min(token.expires_in, Self.longestLifetimeSeconds)))
    }
}
