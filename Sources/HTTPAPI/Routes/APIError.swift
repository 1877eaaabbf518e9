import Foundation
public import GatewayCore
public import HTTPTypes
public import Hummingbird

/// Hummingbird's status type (the module's own `HTTPResponse` is the Genesys client's).
public typealias HTTPStatus = HTTPTypes.HTTPResponse.Status

/// Every error the HTTP API answers, in one JSON shape (README "HTTP API → Errors"):
///
/// ```json
/// {"error": {"status": 404, "code": "genesys.not_found", "message": "…", "field": null,
///            "tenantId": "acme", "org": "us", "requestId": "…",
///            "genesys": {"status": 404, "code": "not.found", "correlationId": "…"}}}
/// ```
public struct APIError: Error, Sendable, HTTPResponseError {
    public var status: HTTPStatus
    /// Our machine-readable code, e.g. `unauthorized`, `invalid_body`, `rate_limited`, `genesys.not_found`.
    public var code: String
    public var message: String
    /// The request body field the error is about (`customer.id`), when it is about one.
    public var field: String?
    public var tenantID: String?
    public var org: String?
    /// Genesys' own answer, when the error came from Genesys.
    public var genesys: GenesysError?
    /// Seconds the client should wait before trying again (429, 503).
    public var retryAfter: Duration?
    /// The `WWW-Authenticate` challenge of a 401 (`Bearer` where an API key is expected; none for the webhook).
    public var challenge: String?
    /// The `Allow` header of a 405: the methods the path does serve.
    public var allow: String?

    public init(
        _ status: HTTPStatus, code: String, message: String, field: String? = nil, tenantID: String? = nil,
        org: String? = nil, genesys: GenesysError? = nil, retryAfter: Duration? = nil, challenge: String? = nil,
        allow: String? = nil
    ) {
        self.challenge = challenge
        self.allow = allow
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.tenantID = tenantID
        self.org = org
        self.genesys = genesys
        self.retryAfter = retryAfter
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let requestID = (context as? APIRequestContext)?.requestID ?? ""
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter {
            headers[.retryAfter] = String(max(1, Int64(saturating: retryAfter.seconds.rounded(.up))))
        }
        if let challenge { headers[.wwwAuthenticate] = challenge }
        if let allow { headers[.allow] = allow }
        let body = try JSONEncoder.api.encode(Envelope(error: Body(self, requestID: requestID)))
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private struct Envelope: Encodable {
        var error: Body
    }

    private struct Body: Encodable {
        var status: Int
        var code: String
        var message: String
        var field: String?
        var tenantId: String?
        var org: String?
        var requestId: String
        var genesys: Genesys?

        init(_ error: APIError, requestID: String) {
            status = error.status.code
            code = error.code
            message = error.message
            field = error.field
            tenantId = error.tenantID
            org = error.org
            requestId = requestID
            genesys = error.genesys.map { Genesys(status: $0.status, code: $0.code, message: $0.message, fields: $0.fields, correlationId: $0.correlationID) }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(status, forKey: .status)
            try container.encode(code, forKey: .code)
            try container.encode(message, forKey: .message)
            try container.encode(field, forKey: .field)
            try container.encode(tenantId, forKey: .tenantId)
            try container.encode(org, forKey: .org)
            try container.encode(requestId, forKey: .requestId)
            try container.encodeIfPresent(genesys, forKey: .genesys)
        }

        enum CodingKeys: String, CodingKey { case status, code, message, field, tenantId, org, requestId, genesys }
    }

    private struct Genesys: Encodable {
        var status: Int
        var code: String?
        var message: String?
        var fields: [String]
        var correlationId: String?
    }
}

extension APIError {
    static func invalidBody(_ message: String, field: String?) -> APIError {
        APIError(.badRequest, code: "invalid_body", message: message, field: field)
    }

    static func notFound(_ what: String, tenant: String? = nil, org: String? = nil) -> APIError {
        APIError(.notFound, code: "not_found", message: "\(what) was not found", tenantID: tenant, org: org)
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
}

extension JSONEncoder {
    /// The API's encoder: sorted keys so answers are stable to read and diff.
    static let api: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
