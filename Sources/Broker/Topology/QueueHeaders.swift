package import Foundation
package import GatewayCore

/// The AMQP headers the gateway reads and writes on queued messages, named in one place.
public enum QueueHeaders {
    /// The tenant, for publishers that keep it out of the body.
    public static let tenant = "tenant-id"
    /// The attempt the message is on (1 when absent).
    public static let attempt = "x-ggw-attempt"
    /// When the first attempt was made, milliseconds since 1970 (wall clock: it must survive a restart).
    public static let firstAttemptMilliseconds = "x-ggw-first-attempt-ms"
    /// Set on a message coming back from a retry tier, so its conversation's deferral can be released.
    public static let deferred = "x-ggw-deferred"
    /// A deferred message's place in its conversation (lower goes first).
    public static let sequence = "x-ggw-seq"
    public static let reason = "x-ggw-reason"
    public static let genesysStatus = "x-ggw-genesys-status"
    public static let genesysCode = "x-ggw-genesys-code"
    public static let correlationID = "x-ggw-correlation-id"
    public static let org = "x-ggw-org"
    public static let deadLetteredAt = "x-ggw-dead-lettered-at"
    /// On an expired message's dead-lettered or parked copy: when it expired (RFC 3339).
    public static let expiresAt = "x-ggw-expires-at"

    /// What a delivery's headers say about its retry state.
    ///
    /// Any publisher can write these headers, so each value is range-checked: a crafted one must neither
    /// crash the gateway (time arithmetic on an absurd date traps) nor stretch a message's attempts or retry time.
    package struct RetryState {
        /// The highest attempt a header is believed (far above any org's `maxAttempts`).
        static let maxAttempt: Int64 = 10_000
        /// 2000-01-01T00:00:00Z: no gateway stamped a first attempt before it.
        static let earliestFirstAttemptMilliseconds: Int64 = 946_684_800_000

        /// 1 … ``maxAttempt``.
        package var attempt: Int
        /// Nil when the header is absent, in the future or before 2000: the first attempt is then this one.
        package var firstAttempt: Date?
        package var deferred: Bool
        package var sequence: Int64?
        package var tenant: String?

        package init(_ headers: [String: AMQPFieldValue]) {
            attempt = Int(min(max(headers[QueueHeaders.attempt]?.intValue ?? 1, 1), Self.maxAttempt))
            firstAttempt = headers[QueueHeaders.firstAttemptMilliseconds]?.intValue.flatMap(Self.firstAttempt(milliseconds:))
            if case .bool(let flag)? = headers[QueueHeaders.deferred] { deferred = flag } else { deferred = false }
            sequence = headers[QueueHeaders.sequence]?.intValue
            tenant = headers[QueueHeaders.tenant]?.stringValue
        }

        private static func firstAttempt(milliseconds: Int64) -> Date? {
            let now = Int64(saturating: Date().timeIntervalSince1970 * 1000)
            // Two comparisons, not a range: a host clock set before 2000 would make the range trap.
            guard milliseconds >= earliestFirstAttemptMilliseconds, milliseconds <= now else { return nil }
            return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        }
    }

    /// Most bytes of a header text the gateway writes from what others said (a validation failure quoting the
    /// message, Genesys' code and correlation id): the copy's headers must stay far inside one AMQP frame, or
    /// its publish would fail and take the shared connection with it.
    static let maximumTextBytes = 1_024

    /// `text`, cut at a character boundary to ``maximumTextBytes`` with "…" added when it was longer.
    static func capped(_ text: String) -> String {
        guard text.utf8.count > maximumTextBytes else { return text }
        var kept = ""
        var bytes = 0
        for character in text {
            bytes += character.utf8.count
            guard bytes <= maximumTextBytes - 3 else { break }
            kept.append(character)
        }
        return kept + "…"
    }

    /// The headers of a copy sent to a retry tier (or back behind a deferred conversation).
    package static func retry(
        from original: [String: AMQPFieldValue], attempt: Int, firstAttempt: Date, sequence: Int64, reason: String, error: GenesysError?
    ) -> [(String, AMQPFieldValue)] {
        var headers = original.filter { !$0.key.hasPrefix("x-ggw-") && !$0.key.hasPrefix("x-death") && !$0.key.hasPrefix("x-first-death") && !$0.key.hasPrefix("x-last-death") }
        headers[QueueHeaders.attempt] = .int(Int64(attempt))
        headers[QueueHeaders.firstAttemptMilliseconds] = .int(Int64(saturating: firstAttempt.timeIntervalSince1970 * 1000))
        headers[QueueHeaders.deferred] = .bool(true)
        headers[QueueHeaders.sequence] = .int(sequence)
        headers[QueueHeaders.reason] = .string(capped(reason))
        if let error {
            headers[QueueHeaders.genesysStatus] = .int(Int64(error.status))
            if let code = error.code { headers[QueueHeaders.genesysCode] = .string(capped(code)) }
            if let correlation = error.correlationID { headers[QueueHeaders.correlationID] = .string(capped(correlation)) }
        }
        return headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The headers of a dead-lettered or parked copy: why, what Genesys said, and when an expired one expired.
    package static func final(
        from original: [String: AMQPFieldValue], reason: String, error: GenesysError?, org: OrgKey?, expiresAt: Date? = nil
    ) -> [(String, AMQPFieldValue)] {
        var headers = original.filter { $0.key != QueueHeaders.deferred && $0.key != QueueHeaders.sequence }
        headers[QueueHeaders.reason] = .string(capped(reason))
        headers[QueueHeaders.deadLetteredAt] = .string(ISO8601Timestamp.string(Date()))
        headers[QueueHeaders.expiresAt] = expiresAt.map { .string(ISO8601Timestamp.string($0)) }
        if let org {
            headers[QueueHeaders.tenant] = .string(org.tenantID)
            headers[QueueHeaders.org] = .string(org.orgName)
        }
        if let error {
            headers[QueueHeaders.genesysStatus] = .int(Int64(error.status))
            if let code = error.code { headers[QueueHeaders.genesysCode] = .string(capped(code)) }
            if let correlation = error.correlationID { headers[QueueHeaders.correlationID] = .string(capped(correlation)) }
        }
        return headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
