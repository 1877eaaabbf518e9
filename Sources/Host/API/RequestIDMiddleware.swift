import Foundation
import Hummingbird
import Logging

/// Gives every request an id (the caller's `X-Request-Id` when it is short and printable, a new UUID
/// otherwise), puts it on the context's logger and echoes it in the response, errors included.
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
        } catch let error as APIError {
            var response = try error.response(from: request, context: context)
            response.headers[.requestID] = context.requestID
            return response
        }
    }
}
