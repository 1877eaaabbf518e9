import Foundation

/// One status update for a message (or an org's circuit), as published to `genesys.status` with routing key
/// `<tenant>.<org>.<status>` — the README's "Status events" documents the JSON.
public struct StatusEvent: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// Put on `genesys.outbound` by the HTTP API (`POST /v1/messages/async`), not yet picked up.
        case queued
        case accepted, sent, retrying, deadLettered = "dead_lettered", parked
        /// An org's circuit breaker changed state.
        case circuit
    }

    public var status: Status
    public var messageId: String?
    public var tenantId: String
    public var org: String
    /// ISO-8601 time of the event.
    public var time: String
    public var attempt: Int?
    public var genesysMessageId: String?
    public var conversationId: String?
    /// With `retrying`: when the next attempt is due (ISO-8601).
    public var nextAttemptAt: String?
    public var reason: String?
    public var genesysStatus: Int?
    public var genesysCode: String?
    public var correlationId: String?
    /// With `sent`: true when a redelivery was recognised as already sent (not sent again).
    public var duplicate: Bool?
    /// With `circuit`: the new state (`open`, `half-open`, `closed`).
    public var circuitState: String?

    public init(status: Status, messageId: String?, tenantId: String, org: String, time: Date = Date()) {
        self.status = status
        self.messageId = messageId
        self.tenantId = tenantId
        self.org = org
        self.time = Self.format(time)
    }

    /// `<tenant>.<org>.<status>`, with dots in names replaced so the topic stays three words.
    public var routingKey: String {
        [tenantId, org, status.rawValue].map { $0.replacingOccurrences(of: ".", with: "_") }.joined(separator: ".")
    }

    static func format(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
