public import GatewayCore
import Synchronization

/// The tenant service as a source of tenants: fetches its document with `If-None-Match`, keeps the last
/// good one, and records how fetches go in ``health``.
///
/// A failed fetch or a bad document changes nothing here: ``document`` stays the last good one, so the
/// reload that reads it keeps the service's tenants as they were.
public final class TenantServiceSource: Sendable {
    /// What one fetch brought.
    public enum Fetch: Sendable {
        /// A new document, now ``document``.
        case changed(TenantServiceDocument)
        /// The service answered 304: the document in hand is current.
        case notModified
        case failed(TenantServiceError)
    }

    /// ETags are a hash or a version in quotes.
    static let maxETagBytes = 256

    public let settings: TenantServiceSettings
    public let health: TenantServiceHealth
    private let http: any HTTPClient
    private let secrets: any SecretResolving
    private let state = Mutex<(document: TenantServiceDocument?, etag: String?)>((nil, nil))

    /// - Parameters:
    ///   - http: the client to fetch with (its own, so a slow service never holds a Genesys connection).
    ///   - secrets: resolves the token reference at every fetch.
    ///   - clock: times the health's last success and failures.
    public init(
        settings: TenantServiceSettings, http: any HTTPClient, secrets: any SecretResolving = SecretResolver(),
        clock: any MonotonicClock = SystemClock()
    ) {
        self.settings = settings
        self.http = http
        self.secrets = secrets
        health = TenantServiceHealth(clock: clock)
    }

    /// The last good document; nil until a fetch brought one.
    public var document: TenantServiceDocument? {
        state.withLock { $0.document }
    }

    /// Fetches the document once (with the last good one's ETag, if it had one) and records the result.
    public func fetch() async -> Fetch {
        let fetch = await fetchOnce()
        switch fetch {
        case .changed: health.record(.ok)
        case .notModified: health.record(.notModified)
        case .failed(let error): health.record(error.kind == .invalidDocument ? .invalid : .failed, failure: error)
        }
        return fetch
    }

    private func fetchOnce() async -> Fetch {
        func failure(_ kind: TenantServiceError.Kind, _ message: String) -> Fetch {
            .failed(TenantServiceError(kind: kind, url: settings.displayURL, message: message))
        }
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let reference = settings.token {
            do throws(SecretResolutionError) {
                headers.append(("Authorization", "Bearer \(try secrets.resolve(reference).reveal())"))
            } catch {
                return failure(.unreachable, "the token \(reference) \(error.reason)")
            }
        }
        let etag = state.withLock { $0.etag }
        // An ETag is the service's word, sent back as it came: one longer than any real one is not kept.
        if let etag, etag.utf8.count <= Self.maxETagBytes { headers.append(("If-None-Match", etag)) }
        let response: HTTPResponse
        do {
            response = try await http.execute(HTTPRequest(
                method: "GET", url: settings.url, headers: headers, connectTimeout: settings.requestTimeout,
                totalTimeout: settings.requestTimeout, maxResponseBytes: settings.maxDocumentBytes))
        } catch let error as TransportError where error == .responseTooLarge(limit: settings.maxDocumentBytes, url: settings.url) {
            // Read no further than the limit: the last good document stays.
            return failure(.invalidDocument, "the answer is larger than the \(settings.maxDocumentBytes)-byte limit")
        } catch let error as TransportError {
            return failure(.unreachable, "no answer (\(error.kind): \(error.message))")
        } catch {
            return failure(.unreachable, "no answer (\(error))")
        }
        switch response.status {
        case 304 where etag != nil:
            return .notModified
        case 200:
            do throws(TenantServiceError) {
                let document = try TenantServiceDocument(
                    json: response.body, url: settings.displayURL, literalSecrets: settings.literalSecrets)
                state.withLock { $0 = (document, response.header("etag")) }
                return .changed(document)
            } catch {
                return .failed(error)
            }
        default:
            return failure(.unreachable, "answered HTTP \(response.status)")
        }
    }
}
