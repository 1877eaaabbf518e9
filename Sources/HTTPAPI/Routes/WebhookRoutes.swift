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
            case .accepted(let id), .duplicate(let id), .forwardFailed(let id, _), .forwardUnconfirmed(let id):
                context.logger.debug("webhook taken", metadata: metadata)
                return try Response.json(["status": Self.outcome(result), "genesysMessageId": id])
            case .unauthorized, .unknownOrg:
                // One answer for both (the log has which), so the URL does not tell who exists.
                context.logger.notice("webhook refused", metadata: metadata)
                throw APIError(.unauthorized, code: "bad_signature", message: "X-Hub-Signature-256 is missing or does not match")
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

extension WebhookRoutes {
    /// The stable word for a taken message in the 200 answer.
    static func outcome(_ result: WebhookResult) -> String {
        switch result {
        case .accepted: return "accepted"
        case .duplicate: return "duplicate"
        case .forwardFailed: return "forward_failed"
        case .forwardUnconfirmed: return "forward_unconfirmed"
        case .unauthorized, .unknownOrg, .tenantDisabled, .invalidBody: return "refused"
        }
    }
}

extension HTTPField.Name {
    static let hubSignature256 = Self("X-Hub-Signature-256")!
}
