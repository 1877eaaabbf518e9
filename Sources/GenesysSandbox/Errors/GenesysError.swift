//
// GenesysError.swift — GenesysSandbox
// An API error answered with Genesys' ErrorBody.
//

import Hummingbird

/// An error the sandbox answers exactly as Genesys would: status, `code`, `message`, `details[]`.
struct GenesysError: Error, Sendable {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    var details: [ValidationIssue] = []
    /// Extra response headers (`Retry-After` on 429).
    var headers: HTTPFields = [:]

    /// The ErrorBody JSON, with `contextId` = the correlation id.
    func body(correlationId: String) -> JSONValue {
        .object([
            "message": .string(message),
            "code": .string(code),
            "status": .int(status.code),
            "contextId": .string(correlationId),
            "details": .array(details.map { .object(["errorCode": .string($0.errorCode), "fieldName": .string($0.fieldName)]) }),
            "errors": .array([]),
        ])
    }

    static func badRequest(_ message: String) -> GenesysError {
        GenesysError(status: .badRequest, code: "bad.request", message: message)
    }

    static func invalid(_ issues: [ValidationIssue]) -> GenesysError {
        GenesysError(status: .badRequest, code: "invalid.value", message: issues.first?.message ?? "Invalid value", details: issues)
    }

    static let authenticationRequired = GenesysError(
        status: .unauthorized, code: "authentication.required",
        message: "No authentication bearer token specified in authorization header.")

    static let badCredentials = GenesysError(
        status: .unauthorized, code: "bad.credentials", message: "Invalid login credentials.")

    static let credentialsExpired = GenesysError(
        status: .unauthorized, code: "credentials.expired",
        message: "The supplied credentials are expired and cannot be used.")

    static func notFound(_ what: String) -> GenesysError {
        GenesysError(status: .notFound, code: "not.found", message: "The requested \(what) was not found.")
    }

    static func tooManyRequests(retryAfter seconds: Int) -> GenesysError {
        GenesysError(
            status: .tooManyRequests, code: "too.many.requests.retry.after",
            message: "Rate limit exceeded the maximum. Retry the request in [\(seconds)] seconds",
            headers: [.retryAfter: String(seconds)])
    }

    static let payloadTooLarge = GenesysError(
        status: .contentTooLarge, code: "request.entity.too.large", message: "The request entity is too large.")

    static let unsupportedMediaType = GenesysError(
        status: .unsupportedMediaType, code: "unsupported.media.type",
        message: "The request media type is not supported; send application/json.")

    /// Genesys' code for a status Hummingbird itself answered (unknown route, body too large, ...).
    static func fromStatus(_ status: HTTPResponse.Status) -> GenesysError {
        switch status.code {
        case 404: return .notFound("resource")
        case 405: return GenesysError(status: status, code: "method.not.allowed", message: "Method not allowed.")
        case 413: return .payloadTooLarge
        case 415: return .unsupportedMediaType
        case 400..<500: return GenesysError(status: status, code: "bad.request", message: "The request could not be understood.")
        default: return .injected(status: 500)
        }
    }

    /// An injected server-side failure: 500, 502, 503 or 504.
    static func injected(status code: Int) -> GenesysError {
        switch code {
        case 502:
            return GenesysError(status: .badGateway, code: "bad.gateway", message: "The upstream service failed.")
        case 503:
            return GenesysError(
                status: .serviceUnavailable, code: "service.unavailable",
                message: "Service Unavailable. Retry the request.")
        case 504:
            return GenesysError(status: .gatewayTimeout, code: "request.timeout", message: "The request timed out.")
        default:
            return GenesysError(
                status: .internalServerError, code: "internal.server.error",
                message: "The server encountered an internal error.")
        }
    }
}
