import Foundation
import GatewayConfig
public import Hummingbird
import Logging
public import OrgServices

/// Request context of the gateway's HTTP API: who is calling (set by ``TenantAuthenticator``) and the
/// request id every log line and error body carries.
public struct APIRequestContext: RequestContext {
    public typealias Source = ApplicationRequestContextSource

    public var coreContext: CoreRequestContextStorage
    /// The tenant whose API key the request carries; nil before authentication and on public routes.
    public var tenant: TenantRuntime?
    /// `X-Request-Id` from the caller (when sane) or a new one; echoed in the response.
    public var requestID: String

    public init(source: Source) {
        coreContext = .init(source: source)
        requestID = ""
    }

    /// A path parameter, percent-decoded (ids are the callers' and may hold any character).
    func pathSegment(_ name: String) -> String {
        let raw = parameters.get(name) ?? ""
        return raw.removingPercentEncoding ?? raw
    }

    /// The authenticated tenant. Only routes behind ``TenantAuthenticator`` call this.
    func requireTenant() throws -> TenantRuntime {
        guard let tenant else {
            throw APIError(.unauthorized, code: "unauthorized", message: "this route needs a tenant API key", challenge: "Bearer")
        }
        return tenant
    }

    /// The org a request is for: `?org=` or the tenant's default org.
    func org(for request: Request, named explicit: String? = nil) throws -> (TenantRuntime, OrgRuntime) {
        let tenant = try requireTenant()
        let name = explicit ?? request.uri.queryParameters.get("org")
        guard let org = tenant.org(named: name) else {
            if let name {
                throw APIError(
                    .notFound, code: "org_not_found", message: "tenant '\(tenant.config.id)' has no org '\(name)'",
                    field: "org", tenantID: tenant.config.id, org: name)
            }
            throw APIError(
                .badRequest, code: "org_required", message: "tenant '\(tenant.config.id)' has no default org: name one with ?org=",
                field: "org", tenantID: tenant.config.id)
        }
        return (tenant, org)
    }
}
