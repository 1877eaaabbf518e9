/// What the webhook did with one call from Genesys, and how to answer it (docs/webhook.md, "Answers").
public enum WebhookResult: Sendable, Equatable, CustomStringConvertible {
    /// Published to `genesys.inbound`. 200.
    case accepted(genesysMessageID: String)
    /// A Genesys retry of a message already taken within the deduplication window; not published again. 200.
    case duplicate(genesysMessageID: String)
    /// Signed and well-formed, but the broker did not confirm it in time. Still 200 (a non-2xx would fail the
    /// chat and Genesys' retries would most likely fail the same way); Genesys gets a `Failed` receipt instead.
    case forwardFailed(genesysMessageID: String, reason: String)
    /// Signed and well-formed, but the broker had not confirmed it when the publish bound passed. 200 (Genesys
    /// must have its answer within 10 s); the publish goes on, and if it finally fails Genesys gets a `Failed` receipt.
    case forwardUnconfirmed(genesysMessageID: String)
    /// Missing or wrong signature. 401; nothing published.
    case unauthorized(WebhookSignature.Failure)
    /// No such tenant, no such org, or an org without a webhook secret (it takes no webhooks). 401, the same
    /// answer as a bad signature, so the URL tells an unsigned caller nothing about which tenants exist.
    case unknownOrg(reason: String)
    /// The tenant is switched off in its config. 403; nothing published.
    case tenantDisabled
    /// Signed, but not a Genesys message the gateway can read. 400, naming the field; nothing published.
    case invalidBody(WebhookBodyError)

    /// The HTTP status to answer with.
    public var httpStatus: Int {
        switch self {
        case .accepted, .duplicate, .forwardFailed, .forwardUnconfirmed: return 200
        case .invalidBody: return 400
        case .unauthorized, .unknownOrg: return 401
        case .tenantDisabled: return 403
        }
    }

    /// True for the outcomes that answer 2xx (Genesys will not retry).
    public var isSuccess: Bool { httpStatus == 200 }

    /// What happened, for the log line and an error body's message.
    public var description: String {
        switch self {
        case .accepted(let id): return "agent message \(id) published"
        case .duplicate(let id): return "agent message \(id) already taken; Genesys retry ignored"
        case .forwardFailed(let id, let reason): return "agent message \(id) not forwarded (\(reason)); Genesys gets a Failed receipt"
        case .forwardUnconfirmed(let id): return "agent message \(id) not yet confirmed by the broker; answered anyway"
        case .unauthorized(let failure): return "signature refused: \(failure)"
        case .unknownOrg(let reason): return reason
        case .tenantDisabled: return "tenant is disabled"
        case .invalidBody(let error): return "invalid body: \(error)"
        }
    }
}
