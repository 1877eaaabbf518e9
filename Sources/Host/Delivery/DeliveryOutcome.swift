/// What became of one delivery attempt.
public enum DeliveryOutcome: Sendable, Equatable {
    /// Genesys accepted the message.
    case delivered(DeliveryReceipt)
    /// Try again after `delay`. `countsAsAttempt` is false when the message was not tried at all (the org's
    /// circuit is open): such waits never use up the message's attempts.
    case retry(after: Duration, reason: String, error: GenesysError?, countsAsAttempt: Bool)
    /// Never going to succeed: invalid, unknown tenant/org/type, refused by Genesys, or out of attempts.
    case deadLetter(reason: String, error: GenesysError?)
    /// Switched off in config (tenant disabled, or message type not enabled for the org): kept, not sent.
    case parked(reason: String)
    /// Not sent: no rate-limit slot within the request's `maxLimiterWait` (only API requests bound their wait).
    case rateLimited(retryAfter: Duration)
}

extension DeliveryOutcome {
    /// Delay, reason, Genesys error and whether it used up an attempt, for the outcomes that try again later.
    var retryParts: (after: Duration, reason: String, error: GenesysError?, countsAsAttempt: Bool) {
        switch self {
        case .retry(let after, let reason, let error, let countsAsAttempt): return (after, reason, error, countsAsAttempt)
        case .rateLimited(let retryAfter): return (retryAfter, "rate limited", nil, false)
        case .delivered, .deadLetter, .parked: return (.zero, "", nil, false)
        }
    }
}

/// Proof of delivery: Genesys' ids for the message, for status updates and the idempotency record.
public struct DeliveryReceipt: Sendable, Equatable {
    public var messageID: String
    public var org: OrgKey
    /// Genesys' id of the message (receipts and webhooks refer to it).
    public var genesysMessageID: String?
    public var conversationID: String?
    public var correlationID: String?
    /// Time spent in Genesys' HTTP call, as libcurl measured it.
    public var genesysDuration: Duration

    public init(
        messageID: String, org: OrgKey, genesysMessageID: String?, conversationID: String?, correlationID: String?,
        genesysDuration: Duration
    ) {
        self.messageID = messageID
        self.org = org
        self.genesysMessageID = genesysMessageID
        self.conversationID = conversationID
        self.correlationID = correlationID
        self.genesysDuration = genesysDuration
    }
}

/// One message as the delivery core takes it: the raw bytes (what the plugin reads) and where it stands.
public struct DeliveryRequest: Sendable {
    public var bytes: [UInt8]
    /// 1 for the first try.
    public var attempt: Int
    /// When the first try was made (monotonic), to stop retrying after `maxRetryDurationSeconds`.
    public var firstAttemptAt: Duration?
    /// The tenant from an AMQP header, when the body does not name it.
    public var tenantHint: String?
    /// How long to wait for the org's rate limiter at most; nil waits as long as it takes (queued messages).
    public var maxLimiterWait: Duration?

    public init(
        bytes: [UInt8], attempt: Int = 1, firstAttemptAt: Duration? = nil, tenantHint: String? = nil, maxLimiterWait: Duration? = nil
    ) {
        self.maxLimiterWait = maxLimiterWait
        self.bytes = bytes
        self.attempt = attempt
        self.firstAttemptAt = firstAttemptAt
        self.tenantHint = tenantHint
    }
}
