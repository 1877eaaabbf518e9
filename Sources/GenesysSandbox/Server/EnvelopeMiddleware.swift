//
// EnvelopeMiddleware.swift — GenesysSandbox
// Outermost middleware: correlation id, ErrorBody for every error, rate-limit headers, status counters.
//

import Foundation
import Hummingbird
import Logging

/// Gives every response `ININ-Correlation-Id` and `inin-ratelimit-*`, turns errors into Genesys'
/// ErrorBody, and counts responses per status.
struct EnvelopeMiddleware: RouterMiddleware {
    typealias Context = SandboxRequestContext

    let engine: SandboxEngine

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.correlationId = UUID().uuidString.lowercased()
        context.logger[metadataKey: "genesys.correlation_id"] = .string(context.correlationId)
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as GenesysError {
            response = Self.errorResponse(error, correlationId: context.correlationId)
        } catch is ConnectionResetByFault {
            throw ConnectionResetByFault()
        } catch let error as any HTTPResponseError {
            response = Self.errorResponse(GenesysError.fromStatus(error.status), correlationId: context.correlationId)
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(error)"])
            response = Self.errorResponse(.injected(status: 500), correlationId: context.correlationId)
        }
        let info = context.exchange.info
        let standing = info.standing ?? .uncounted(allowed: info.client?.ratePerMinute ?? engine.configuration.defaultRatePerMinute)
        response.headers[.ininCorrelationId] = context.correlationId
        response.headers[.ininRateLimitAllowed] = String(standing.allowed)
        response.headers[.ininRateLimitCount] = String(standing.count)
        response.headers[.ininRateLimitReset] = String(standing.resetSeconds)
        engine.stats.recordStatus(String(response.status.code))
        return response
    }

    static func errorResponse(_ error: GenesysError, correlationId: String) -> Response {
        Response.json(error.body(correlationId: correlationId), status: error.status, headers: error.headers)
    }
}

/// Header names the sandbox sets (HTTPTypes' `HTTPField.Name`, reached through `HTTPFields`).
typealias HeaderName = HTTPFields.Element.Name

extension HeaderName {
    static let ininCorrelationId = HeaderName("ININ-Correlation-Id")!
    static let ininRateLimitAllowed = HeaderName("inin-ratelimit-allowed")!
    static let ininRateLimitCount = HeaderName("inin-ratelimit-count")!
    static let ininRateLimitReset = HeaderName("inin-ratelimit-reset")!
    static let hubSignature256 = HeaderName("X-Hub-Signature-256")!
}
