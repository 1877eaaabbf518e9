public import Foundation
public import GatewayConfig
import GatewayCore
import OrgServices
public import PluginKit

/// When a message stops being worth sending: its own `expiresAt`, else its org's default for its type
/// (`expiry.afterSeconds`) counted from its `createdAt`, else from when the gateway first took it.
///
/// Decided once per delivery on the wall clock (the times in a message are wall-clock times), then placed on the
/// monotonic clock that every later check uses (``deadline(monotonicNow:wallNow:)``), so a test clock drives them.
public struct MessageExpiry: Sendable, Equatable {
    /// After this instant the message is not sent.
    public var date: Date
    /// Why it expires then, for logs and errors: `expiresAt` or `typing: 5 s after createdAt`.
    public var origin: String
    /// True when the message's own `expiresAt` set it (not the org's default for its type).
    public var isMessagesOwn: Bool

    public init(date: Date, origin: String, isMessagesOwn: Bool) {
        self.date = date
        self.origin = origin
        self.isMessagesOwn = isMessagesOwn
    }

    /// The expiry of `message` in an org with `settings`; nil when nothing makes it expire.
    /// - Parameter takenAt: when the gateway first took the message (its first attempt), the default's start
    ///   when the message has no valid `createdAt`.
    /// - Returns: a failure naming `expiresAt` when the message gives one that is not an RFC 3339 date-time.
    public static func of(_ message: QueuedMessage, settings: ExpirySettings, takenAt: Date) -> Result<MessageExpiry?, ValidationFailure> {
        if let text = message.expiresAt {
            guard let date = DateTimeText.date(text) else {
                return .failure(ValidationFailure(
                    field: "expiresAt", reason: "'expiresAt' must be an ISO-8601 date-time like 2026-11-25T10:00:05Z, got '\(text)'"))
            }
            return .success(MessageExpiry(date: date, origin: "expiresAt", isMessagesOwn: true))
        }
        guard let seconds = settings.afterSeconds[message.type] else { return .success(nil) }
        // A `createdAt` that is not a date-time fails the sender's own check; until then the first attempt counts.
        if let created = message.createdAt.flatMap(DateTimeText.date) {
            return .success(MessageExpiry(
                date: created.addingTimeInterval(Double(seconds)), origin: "\(message.type): \(seconds) s after createdAt", isMessagesOwn: false))
        }
        return .success(MessageExpiry(
            date: takenAt.addingTimeInterval(Double(seconds)), origin: "\(message.type): \(seconds) s after it was first taken",
            isMessagesOwn: false))
    }

    /// Whether the message may no longer be sent at `now`.
    public func hasPassed(at now: Date) -> Bool {
        now >= date
    }

    /// ``date`` on the monotonic clock, given that `monotonicNow` and `wallNow` are the same moment. Total: a
    /// date centuries away (the message's own, so anything) saturates instead of trapping.
    public func deadline(monotonicNow: Duration, wallNow: Date) -> Duration {
        monotonicNow + .fractionalSeconds(date.timeIntervalSince(wallNow))
    }

    /// What the status event and the log say: `expired at 2026-11-25T10:00:05.000Z (expiresAt)`.
    public var description: String {
        "expired at \(StatusEvent.format(date)) (\(origin))"
    }
}
