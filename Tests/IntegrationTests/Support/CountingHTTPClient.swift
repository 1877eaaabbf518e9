import GatewayCore
import Synchronization

/// Wraps the real client and counts requests by path, so tests can say how many token requests went
/// over the wire.
final class CountingHTTPClient: HTTPClient {
    private let wrapped: any HTTPClient
    private let counts = Mutex<[String: Int]>([:])

    init(wrapping wrapped: any HTTPClient) {
        self.wrapped = wrapped
    }

    func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        // scheme://host/path → /path
        let parts = request.url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        let path = parts.count == 4 ? "/" + parts[3] : request.url
        counts.withLock { $0[path, default: 0] += 1 }
        return try await wrapped.execute(request)
    }

    /// Requests made to the OAuth token endpoint.
    var tokenRequests: Int {
        counts.withLock { $0["/oauth/token", default: 0] }
    }
}
