import Foundation
import Testing

@testable import GatewayCore
@testable import OrgServices

/// The direct writer must produce what `JSONEncoder` (sorted keys, slashes unescaped) produced before it, byte
/// for byte: consumers of `genesys.status` may compare or hash the documents.
@Suite struct StatusEventJSONTests {
    static func encoderBytes(_ event: StatusEvent) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(event))
    }

    static var events: [StatusEvent] {
        var full = StatusEvent(status: .retrying, messageId: "m-1", tenantId: "acme", org: "us", time: Date(timeIntervalSince1970: 0))
        full.attempt = 3
        full.genesysMessageId = "g/1"
        full.conversationId = "c-1"
        full.nextAttemptAt = "2026-11-30T11:23:47.123Z"
        full.reason = "Genesys answered 503: \"busy\"\n\tback\\slash \u{01}\u{1F} ünïcödé 🎉 \u{7F}"
        full.genesysStatus = 503
        full.genesysCode = "service.unavailable"
        full.correlationId = "corr-1"
        full.duplicate = false
        full.possibleDuplicate = true
        full.circuitState = "open"
        var negative = StatusEvent(status: .deadLettered, messageId: nil, tenantId: "t.x", org: "o.y")
        negative.attempt = -2
        negative.duplicate = true
        var expired = StatusEvent(status: .expired, messageId: "m-2", tenantId: "acme", org: "us")
        expired.reason = "expired"
        expired.expiresAt = "2026-11-25T10:00:05.000Z"
        expired.messageType = "typing"
        return [full, negative, expired, StatusEvent(status: .sent, messageId: "", tenantId: "", org: "")]
    }

    @Test(arguments: events) func writesWhatJSONEncoderWrote(_ event: StatusEvent) throws {
        #expect(event.jsonBytes == (try Self.encoderBytes(event)))
        #expect(try JSONDecoder().decode(StatusEvent.self, from: Data(event.jsonBytes)) == event)
    }

    @Test func everyControlCharacterIsEscapedAsJSONEncoderDoes() throws {
        let text = String(decoding: (0..<0x20).map { UInt8($0) } + Array("\"\\/".utf8), as: UTF8.self)
        var event = StatusEvent(status: .parked, messageId: "m", tenantId: "t", org: "o")
        event.reason = text
        #expect(event.jsonBytes == (try Self.encoderBytes(event)))
    }

    @Test func routingKeyReplacesDotsInNames() {
        let event = StatusEvent(status: .deadLettered, messageId: "m", tenantId: "acme.eu", org: "main.1")
        #expect(event.routingKey == "acme_eu.main_1.dead_lettered")
    }

    /// Tenant and org come from the message body when no configured org takes it: a claimed name of any
    /// length must still give a routing key AMQP can carry (255 bytes), distinct per configured name.
    @Test func routingKeyStaysWithinAnAMQPShortStringWhateverTheNamesClaimed() {
        let event = StatusEvent(status: .deadLettered, messageId: "m", tenantId: String(repeating: "t", count: 10_000), org: String(repeating: "é", count: 5_000))
        #expect(event.routingKey.utf8.count <= 255)
        #expect(event.routingKey.hasSuffix(".dead_lettered"))
        let longestConfigured = String(repeating: "a", count: 64)  // tenant ids and org names hold at most 64 characters
        #expect(StatusEvent(status: .sent, messageId: "m", tenantId: longestConfigured, org: longestConfigured).routingKey == "\(longestConfigured).\(longestConfigured).sent")
    }

    /// Fractions a Double holds exactly: Foundation goes through its 2001 reference date and may land one
    /// millisecond lower on others (`.123` → `.122`), where this formatter keeps the millisecond given.
    @Test(arguments: [0, 1, 1_764_501_827.5, 1_764_501_827.25, 1_764_501_827.999_755_859_375, -1.5, -12_219_292_800, 253_402_300_799.5])
    func timestampsMatchFoundationsISO8601(_ seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        let foundation = date.formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
        #expect(ISO8601Timestamp.string(date) == foundation)
    }

    @Test func millisecondsAreKeptAsGiven() {
        #expect(ISO8601Timestamp.string(Date(timeIntervalSince1970: 1_764_501_827.123)) == "2025-11-30T11:23:47.123Z")
    }

    /// Beyond four year digits the text is clamped (Foundation, which switches to the Julian calendar before
    /// 1582, is not the reference there: gmtime's proleptic Gregorian calendar is).
    @Test func timestampsOutsideYearsOneToNineThousandNineHundredNinetyNineAreClamped() {
        #expect(ISO8601Timestamp.string(Date(timeIntervalSince1970: 1e300)) == "9999-12-31T23:59:59.999Z")
        #expect(ISO8601Timestamp.string(Date(timeIntervalSince1970: -1e300)) == "0001-01-01T00:00:00.000Z")
        #expect(ISO8601Timestamp.string(Date(timeIntervalSince1970: .nan)) == "1970-01-01T00:00:00.000Z")
    }
}
