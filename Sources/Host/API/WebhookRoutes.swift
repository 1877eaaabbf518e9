import HTTPTypes
import Hummingbird
import Logging

/// `POST /webhooks/genesys/{tenant}/{org}`: Genesys' outbound notifications (agent messages). Authenticated
/// by the body's HMAC signature, not by an API key; the ``WebhookHandler`` does the work.
struct WebhookRoutes {
    let handler: WebhookHandler

    func register(on router: Router<APIRequestContext>) {
        router.post("webhooks/genesys/:tenant/:org") { request, context in
            let tenant = context.parameters.get("tenant") ?? ""
            let org = context.parameters.get("org") ?? ""
            let body = try await RequestBody.bytes(request)
            let result = await handler.handle(
                tenantID: tenant, orgName: org, signature: request.headers[.hubSignature256], body: body)
            let metadata: Logger.Metadata = ["tenant.id": "\(tenant)", "org.name": "\(org)", "webhook.result": "\(result)"]
            switch result {
            case .accepted, .duplicate, .forwardFailed, .forwardUnconfirmed:
                context.logger.debug("webhook taken", metadata: metadata)
                return try Response.json(["status": "\(result)"])
            case .unauthorized:
                context.logger.notice("webhook signature refused", metadata: metadata)
                throw APIError(.unauthorized, code: "bad_signature", message: "X-Hub-Signature-256 is missing or does not match", tenantID: tenant, org: org)
            case .unknownOrg(let reason):
                throw APIError(.notFound, code: "org_not_found", message: reason, tenantID: tenant, org: org)
            case .tenantDisabled:
                throw APIError(.forbidden, code: "tenant_disabled", message: "tenant '\(tenant)' is disabled", tenantID: tenant, org: org)
            case .invalidBody(let error):
                context.logger.notice("webhook body refused", metadata: metadata)
                throw APIError(
                    .badRequest, code: "invalid_body", message: error.reason, field: error.field.isEmpty ? nil : error.field,
                    tenantID: tenant, org: org)
            }
        }
    }
}

extension HTTPField.Name {
    static let hubSignature256 = Self("X-Hub-Signature-256")!
}
