import GatewayCore

/// How much status history the gateway keeps for `GET /v1/messages/{id}` (`run --status-history-max-bytes`,
/// `--status-history-max-age`, `--status-history-max-messages`).
///
/// In memory (``MessageStatusStore``) all three bound the store, and the message whose last event is oldest is
/// forgotten first; in shared mode `maxAge` is also the TTL of each message's history in Redis
/// (``SharedStatusHistory``), whose size Redis bounds by that TTL and the per-message cap.
public struct StatusHistoryLimits: Sendable, Equatable {
    /// Bytes held at most, as ``MessageStatusStore`` estimates them: each event's JSON plus a fixed overhead.
    public var maxBytes: Int
    /// How long a message's story is kept after its last event.
    public var maxAge: Duration
    /// Messages whose story is kept at most.
    public var maxMessages: Int

    public init(maxBytes: Int = 32 << 20, maxAge: Duration = .seconds(3600), maxMessages: Int = 100_000) {
        self.maxBytes = maxBytes
        self.maxAge = maxAge
        self.maxMessages = maxMessages
    }

    /// What `run` accepts for each. At least 1 MiB: a few thousand messages, so a burst's stories are still there
    /// when their callers ask. At most 7 days of age, the longest a receipt stays in shared mode; at most 64 GiB
    /// and 10 million messages, far past any machine the gateway runs on, only to refuse a typo.
    public static let bytesRange = (1 << 20)...(64 << 30)
    public static let ageSecondsRange = 1...604_800
    public static let messagesRange = 1...10_000_000

    /// ``maxAge`` in whole seconds, rounded up (Redis' `EXPIRE` takes seconds; a story is never cut short).
    var maxAgeSeconds: Int64 {
        max(1, (maxAge.millisecondsRoundedUp + 999) / 1000)
    }
}
