import GatewayCore
import HTTPTypes
import Hummingbird

/// Hummingbird's method type (the module's own `HTTPRequest` is the Genesys client's).
typealias HTTPMethod = HTTPTypes.HTTPRequest.Method

/// Which methods each of a router's paths serves, so that a known path asked with another method is answered
/// 405 with `Allow` (RFC 9110) instead of Hummingbird's 404, which would tell the caller the path does not exist.
///
/// Paths match as Hummingbird's trie matches them: segment by segment, a parameter segment (`{name}`, `:name`) taking
/// any one segment, and a literal segment winning over a parameter (`/v1/messages/async` is not `/v1/messages/{id}`).
struct AllowedMethods: Sendable {
    private struct Template: Sendable {
        /// nil for a parameter segment.
        var segments: [String?]
        var methods: Set<HTTPMethod>
    }

    private let templates: [Template]

    /// - Parameter routes: every route a router serves (`router.routes`).
    init(routes: [(path: String, method: HTTPMethod)]) {
        var byPath: [String: Template] = [:]
        for route in routes {
            let segments = Self.segments(route.path).map { Self.isParameter($0) ? nil : String($0) }
            byPath[segments.map { $0 ?? ":" }.joined(separator: "/"), default: Template(segments: segments, methods: [])]
                .methods.insert(route.method)
        }
        templates = Array(byPath.values)
    }

    /// The methods `path` is served with, HEAD included wherever GET is (Hummingbird answers it); nil for a path
    /// no route serves.
    func methods(for path: String) -> [HTTPMethod]? {
        let asked = Self.segments(path)
        let candidates = templates.filter { template in
            template.segments.count == asked.count
                && zip(template.segments, asked).allSatisfy { literal, segment in literal.map { $0 == segment } ?? true }
        }
        // The most specific template: the first segment where two differ decides, a literal beating a parameter.
        guard let best = candidates.max(by: { lhs, rhs in
            guard let (left, _) = zip(lhs.segments, rhs.segments).first(where: { ($0 == nil) != ($1 == nil) }) else { return false }
            return left == nil
        }) else { return nil }
        var methods = best.methods
        if methods.contains(.get) { methods.insert(.head) }
        return methods.sorted { $0.rawValue < $1.rawValue }
    }

    /// `{id}` as Hummingbird describes a registered route, `:id` as routes are registered.
    private static func isParameter(_ segment: Substring) -> Bool {
        segment.hasPrefix(":") || (segment.hasPrefix("{") && segment.hasSuffix("}"))
    }

    private static func segments(_ path: String) -> [Substring] {
        path.split(separator: "/")
    }
}

/// Answers a request for a known path with a method that path does not serve: 405 `method_not_allowed` with
/// `Allow`, before authentication (the method is wrong whoever asks, and it reveals no more than the document).
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let allowed: AllowedMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let methods = allowed.methods(for: request.uri.path), !methods.contains(request.method) else {
            return try await next(request, context)
        }
        let allow = methods.map { $0.rawValue }.joined(separator: ", ")
        throw APIError(
            .methodNotAllowed, code: "method_not_allowed", message: "\(request.method.rawValue) is not served here; use \(allow)",
            allow: allow)
    }
}
