public import Foundation
import GatewayCore
import PluginKit

/// One status update for a message (or an org's circuit), as published to `genesys.status` with routing key
/// `<tenant>.<org>.<status>` — the README's "Status events" documents the JSON.
public struct StatusEvent: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// Put on `genesys.outbound` by the HTTP API (`POST /v1/messages/async`), not yet picked up.
        case queued
        case accepted, sent, retrying, deadLettered = "dead_lettered", parked
        /// Not sent because it could no longer be useful (its `expiresAt`, or its org's expiry for its type,
        /// passed): dead-lettered or parked as its org says, with reason `expired`.
        case expired
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
    /// With `sent`: true when an earlier send of this message was cut short by a crash before Genesys' answer
    /// was recorded, so Genesys may have received it twice.
    public var possibleDuplicate: Bool?
    /// With `circuit`: the new state (`open`, `half-open`, `closed`).
    public var circuitState: String?
    /// With `expired`: when the message expired (ISO-8601).
    public var expiresAt: String?
    /// With `expired`: the message's type.
    public var messageType: String?
    /// With `dead_lettered`: true when the tenant does not take messages from the message's publisher (its
    /// `publishers`; the reason names the RabbitMQ user).
    public var publisherRefused: Bool?

    public init(status: Status, messageId: String?, tenantId: String, org: String, time: Date = Date()) {
        self.status = status
        self.messageId = messageId
        self.tenantId = tenantId
        self.org = org
        self.time = Self.format(time)
    }

    /// `<tenant>.<org>.<status>`, with dots in names replaced so the topic stays three words.
    ///
    /// Tenant and org are what the message claimed when no configured org took it, so each word is cut to
    /// the longest configured name (64 bytes, at a character boundary): the key must fit AMQP's 255-byte
    /// short string, or the broker would close the connection every tenant shares.
    public var routingKey: String {
        var key: [UInt8] = []
        key.reserveCapacity(2 * Self.routingWordLimit + status.rawValue.utf8.count + 2)
        for (index, word) in [tenantId, org, status.rawValue].enumerated() {
            if index > 0 { key.append(UInt8(ascii: ".")) }
            var length = 0
            for scalar in word.unicodeScalars {
                let bytes = UTF8.width(scalar)
                guard length + bytes <= Self.routingWordLimit else { break }
                length += bytes
                if scalar == "." { key.append(UInt8(ascii: "_")) } else { key.append(contentsOf: scalar.utf8) }
            }
        }
        return String(decoding: key, as: UTF8.self)
    }

    /// Bytes of a tenant or org name kept in a routing key: configured names are at most 64 characters of
    /// ASCII, so a configured org's key is never cut.
    static let routingWordLimit = 64

    /// The event as JSON with sorted keys — what `JSONEncoder` with `.sortedKeys` and
    /// `.withoutEscapingSlashes` gives, written directly (two events per message).
    public var jsonBytes: [UInt8] {
        var writer = JSONObjectWriter()
        writer.add("attempt", attempt)
        writer.add("circuitState", circuitState)
        writer.add("conversationId", conversationId)
        writer.add("correlationId", correlationId)
        writer.add("duplicate", duplicate)
        writer.add("expiresAt", expiresAt)
        writer.add("genesysCode", genesysCode)
        writer.add("genesysMessageId", genesysMessageId)
        writer.add("genesysStatus", genesysStatus)
        writer.add("messageId", messageId)
        writer.add("messageType", messageType)
        writer.add("nextAttemptAt", nextAttemptAt)
        writer.add("org", org)
        writer.add("possibleDuplicate", possibleDuplicate)
        writer.add("publisherRefused", publisherRefused)
        writer.add("reason", reason)
        writer.add("status", status.rawValue)
        writer.add("tenantId", tenantId)
        writer.add("time", time)
        return writer.finish()
    }

    /// `2026-11-30T11:23:47.123Z`: UTC, milliseconds.
    package static func format(_ date: Date) -> String {
        ISO8601Timestamp.string(date)
    }
}
