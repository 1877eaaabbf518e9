import Foundation
import GatewayCore
import GatewayDelivery
import Hummingbird

extension APIError {
    /// The API's answer to a Genesys call that did not succeed.
    ///
    /// Genesys' 4xx keep their status (its 404 is our 404) with Genesys' code and correlation id; its 401/403
    /// mean our credentials for the org are wrong, which the caller cannot fix: 502. Gateway-side refusals:
    /// rate limited → 429, circuit open → 503, both with Retry-After.
    static func from(_ refusal: CallRefusal, org: OrgKey) -> APIError {
        switch refusal {
        case .rateLimited(let retryAfter):
            return APIError(
                .tooManyRequests, code: "rate_limited", message: "org \(org) is at its Genesys rate limit",
                tenantID: org.tenantID, org: org.orgName, retryAfter: retryAfter)
        case .circuitOpen(let retryAfter):
            return APIError(
                .serviceUnavailable, code: "circuit_open", message: "Genesys is failing for org \(org); calls are paused",
                tenantID: org.tenantID, org: org.orgName, retryAfter: retryAfter)
        case .cancelled:
            return APIError(.serviceUnavailable, code: "shutting_down", message: "the gateway is stopping", tenantID: org.tenantID, org: org.orgName)
        }
    }

    static func from(_ error: GenesysError, retryAfter: Duration?) -> APIError {
        let status: HTTPStatus
        switch error.status {
        case 401, 403: status = .badGateway
        case 400..<500: status = HTTPStatus(code: error.status)
        default: status = .badGateway
        }
        let code = "genesys." + (error.code ?? String(error.status)).replacingOccurrences(of: ".", with: "_")
        return APIError(
            status, code: code, message: error.message ?? "Genesys answered \(error.status)", field: error.fields.first,
            tenantID: error.org.tenantID, org: error.org.orgName, genesys: error,
            retryAfter: error.status == 429 || error.status >= 500 ? retryAfter : nil)
    }

    static func unavailable(_ reason: String, org: OrgKey, retryAfter: Duration?) -> APIError {
        APIError(
            .badGateway, code: "genesys_unavailable", message: reason, tenantID: org.tenantID, org: org.orgName,
            retryAfter: retryAfter)
    }
}

extension OrgCallResult {
    /// Genesys' answer, or the API error to throw.
    func response(org: OrgKey) throws(APIError) -> GatewayCore.HTTPResponse {
        switch self {
        case .answered(let response): return response
        case .failed(let error, let retryAfter): throw APIError.from(error, retryAfter: retryAfter)
        case .refused(let refusal): throw APIError.from(refusal, org: org)
        case .unavailable(let reason, let retryAfter): throw APIError.unavailable(reason, org: org, retryAfter: retryAfter)
        }
    }
}
