import Crypto
import Foundation
import GatewayConfig
import GatewayCore
import Hummingbird
import Logging
import OrgServices

/// Decides the tenant of a request from its `Authorization: Bearer <key>`.
///
/// The key alone picks the tenant, so no request can name another tenant's orgs or conversations. Keys are
/// compared as SHA-256 digests (swift-crypto's digest equality is constant-time), against every tenant's
/// every key without stopping at a match, so timing says nothing about which key or tenant was close.
struct TenantAuthenticator: RouterMiddleware {
    typealias Context = APIRequestContext
    let registry: TenantRegistry

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let presented = BearerToken.from(request) else {
            throw APIError(.unauthorized, code: "unauthorized", message: "missing 'Authorization: Bearer <tenant API key>'", challenge: "Bearer")
        }
        let matches = Self.tenants(presenting: presented, among: registry.all)
        guard matches.count == 1, let tenant = matches.first else {
            if matches.count > 1 {
                // A configuration mistake that must never pick one of them: refuse, loudly.
                context.logger.error("one API key belongs to several tenants; refused", metadata: ["tenants": "\(matches.map(\.config.id))"])
            } else {
                context.logger.notice("API key refused")
            }
            throw APIError(.unauthorized, code: "unauthorized", message: "the API key is not valid", challenge: "Bearer")
        }
        guard tenant.config.enabled else {
            throw APIError(.forbidden, code: "tenant_disabled", message: "tenant '\(tenant.config.id)' is disabled", tenantID: tenant.config.id)
        }
        var context = context
        context.tenant = tenant
        context.logger[metadataKey: "tenant.id"] = "\(tenant.config.id)"
        return try await next(request, context)
    }

    /// Every tenant one of whose keys is `key` (one, unless two tenant files share a key).
    static func tenants(presenting key: String, among tenants: [TenantRuntime]) -> [TenantRuntime] {
        let digest = SHA256.hash(data: Array(key.utf8))
        var matches: [TenantRuntime] = []
        for tenant in tenants {
            var matched = false
            for candidate in tenant.apiKeyDigests where candidate == digest {
                matched = true
            }
            if matched { matches.append(tenant) }
        }
        return matches
    }
}

/// Admits only requests carrying the admin key (a separate secret from every tenant's keys). Without a
/// configured admin key the admin API refuses everyone.
struct AdminAuthenticator: RouterMiddleware {
    typealias Context = APIRequestContext
    let adminKey: Secret?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let adminKey else {
            throw APIError(.forbidden, code: "admin_disabled", message: "the admin API is off: no admin key is configured (GGW_ADMIN_API_KEY)")
        }
        guard let presented = BearerToken.from(request),
            SHA256.hash(data: Array(presented.utf8)) == SHA256.hash(data: Array(adminKey.reveal().utf8))
        else {
            context.logger.notice("admin key refused")
            throw APIError(.unauthorized, code: "unauthorized", message: "missing or invalid admin key", challenge: "Bearer")
        }
        return try await next(request, context)
    }
}

/// The token of an `Authorization: Bearer …` header.
enum BearerToken {
    static func from(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
