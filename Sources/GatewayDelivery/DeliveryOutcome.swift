public import GatewayCore
public import OrgServices
public import PluginKit

/// What became of one delivery attempt.
public enum DeliveryOutcome: Sendable, Equatable {
    /// Genesys accepted the message.
    case delivered(DeliveryReceipt)
    /// Not sent: as the send was about to start, the idempotency record held this receipt
    /// (``SendStart/alreadySent(_:)``), in shared mode one another replica wrote after the caller's receipt check.
    /// Genesys has the message; report it as the receipt check would.
    case alreadyDelivered(DeliveryReceipt)
    /// Tried, and worth trying again after `delay` (an attempt used up).
    case retry(after: Duration, reason: String, error: GenesysError?)
    /// Genesys (429) or its login host (no token) asked to wait: the message itself was not refused, so no
    /// attempt is used up; how long it may keep waiting is bounded by the org's retry duration.
    case throttled(after: Duration, reason: String, error: GenesysError?)
    /// Never going to succeed: invalid, unknown tenant/org/type, refused by Genesys, or out of attempts.
    case deadLetter(reason: String, error: GenesysError?)
    /// Switched off in config (tenant disabled, or message type not enabled for the org): kept, not sent.
    case parked(reason: String)
    /// Not tried at all, so no attempt used up: the org's circuit is open, no rate-limit slot came within the
    /// request's `maxLimiterWait` (only API requests bound their wait), or the wait was cancelled.
    case notSent(CallRefusal)
    /// Not sent because the request's ``DeliveryRequest/expiresAt`` came, or would come before a rate-limit slot:
    /// the message can no longer be useful.
    case expired
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
    /// The Genesys request the org's sender plugin already built from these very bytes (the API builds it to
    /// check a message before sending), so the plugin is not asked twice.
    public var prebuilt: PluginRequest?
    /// Asked once the limiter and circuit let the message go, right before it is sent: false when whoever
    /// asked for it can no longer settle it (a queued message whose connection is gone, which the broker
    /// hands out again), so it is not sent ahead of its own redelivery. The outcome is then
    /// ``DeliveryOutcome/notSent(_:)`` with ``CallRefusal/cancelled``.
    public var isStillWanted: (@Sendable () -> Bool)?
    /// `bytes` already decoded by the caller (the queue consumer decodes to find the conversation), so the
    /// message is not decoded twice; nil decodes `bytes` here.
    public var decoded: QueuedMessage?
    /// The instant (monotonic, as ``firstAttemptAt``) from which the message is not sent (``MessageExpiry``):
    /// checked before anything else, bounding the wait for a rate-limit slot, and again right before each send.
    /// The outcome is then ``DeliveryOutcome/expired``. Nil: it never expires.
    public var expiresAt: Duration?
    /// The org's rate limiter already gave this request its slot (the ``Dispatcher`` took it before the
    /// delivery started), so the first send does not take another. Later sends — after a refused token,
    /// a 429, a retry — take their own.
    public var slotTaken = false

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
