import Foundation
import Hummingbird
import Logging

/// Gives every request an id (the caller's `X-Request-Id` when it is short and printable, a new UUID
/// otherwise), puts it on the context's logger and echoes it in the response, errors included.
///
/// It is the outermost middleware, so it also puts every error into the API's one error shape: an unknown
/// route or method (Hummingbird's own 404/405) as well as anything unexpected (500, logged).
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let offered = request.headers[.requestID] ?? ""
        let isUsable = (1...128).contains(offered.utf8.count) && offered.utf8.allSatisfy { (0x21...0x7e).contains($0) }
        context.requestID = isUsable ? offered : UUID().uuidString.lowercased()
        context.logger[metadataKey: "request.id"] = "\(context.requestID)"
        do {
            var response = try await next(request, context)
            response.headers[.requestID] = context.requestID
            return response
        } catch {
            var response = try Self.apiError(error, context: context).response(from: request, context: context)
            response.headers[.requestID] = context.requestID
            return response
        }
    }

    static func apiError(_ error: any Error, context: Context) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as HTTPError:
            let code = error.status == .notFound ? "no_such_route" : (error.status == .methodNotAllowed ? "method_not_allowed" : "http_error")
            return APIError(error.status, code: code, message: error.body ?? error.status.reasonPhrase)
        default:
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            return APIError(.internalServerError, code: "internal_error", message: "the gateway failed to handle the request (logged with its request id)")
        }
    }
}
