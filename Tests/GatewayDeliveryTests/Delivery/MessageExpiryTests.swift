import Foundation
import PluginKit
import Testing
@testable import GatewayConfig
@testable import GatewayDelivery

/// The expiry decision: a message's own `expiresAt` wins, else its org's default for its type counted from
/// `createdAt`, else from when the gateway first took it; untrusted times never trap.
@Suite struct MessageExpiryTests {
    static let settings = ExpirySettings(afterSeconds: ["typing": 5], expiredMessages: .deadLetter)
    static let takenAt = Date(timeIntervalSince1970: 1_795_600_900)

    func message(type: String = "typing", createdAt: String? = "2026-11-25T10:00:00Z", expiresAt: String? = nil) throws -> QueuedMessage {
        var object: [String: Any] = ["id": "m-1", "type": type]
        object["createdAt"] = createdAt
        object["expiresAt"] = expiresAt
        return try QueuedMessage.decode(Array(JSONSerialization.data(withJSONObject: object))).get()
    }

    func expiry(_ message: QueuedMessage) throws -> MessageExpiry? {
        try MessageExpiry.of(message, settings: Self.settings, takenAt: Self.takenAt).get()
    }

    @Test func theMessagesOwnExpiresAtWinsOverTheTypeDefault() throws {
        let found = try #require(try expiry(message(expiresAt: "2026-11-25T10:01:00Z")))
        #expect(found.date == DateTimeText.date("2026-11-25T10:01:00Z"))
        #expect(found.isMessagesOwn)
        #expect(found.description == "expired at 2026-11-25T10:01:00.000Z (expiresAt)")
    }

    @Test func theTypeDefaultCountsFromCreatedAt() throws {
        let found = try #require(try expiry(message()))
        #expect(found.date == DateTimeText.date("2026-11-25T10:00:05Z"))
        #expect(!found.isMessagesOwn)
        #expect(found.origin == "typing: 5 s after createdAt")
    }

    @Test func withoutCreatedAtTheDefaultCountsFromWhenTheGatewayFirstTookIt() throws {
        let found = try #require(try expiry(message(createdAt: nil)))
        #expect(found.date == Self.takenAt.addingTimeInterval(5))
        #expect(found.origin == "typing: 5 s after it was first taken")
    }

    @Test func aTypeWithoutDefaultNeverExpiresUnlessTheMessageSaysSo() throws {
        #expect(try expiry(message(type: "text")) == nil)
        #expect(try expiry(message(type: "text", expiresAt: "2026-11-25T10:01:00+01:00")) != nil)
    }

    @Test func anExpiresAtThatIsNoDateTimeFailsNamingTheField() throws {
        let result = MessageExpiry.of(try message(expiresAt: "in five minutes"), settings: Self.settings, takenAt: Self.takenAt)
        guard case .failure(let failure) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(failure.field == "expiresAt")
        #expect(failure.reason.contains("'in five minutes'"))
    }

    @Test func theDecisionIsTakenOnTheClockItIsGiven() throws {
        let found = try #require(try expiry(message()))
        let expiresAt = try #require(DateTimeText.date("2026-11-25T10:00:05Z"))
        #expect(!found.hasPassed(at: expiresAt.addingTimeInterval(-0.001)))
        #expect(found.hasPassed(at: expiresAt))
        // Placed on a monotonic clock: 5 s after the moment the wall clock read 10:00:00.
        #expect(found.deadline(monotonicNow: .seconds(100), wallNow: expiresAt.addingTimeInterval(-5)) == .seconds(105))
    }

    /// A publisher may write any year from 0000 to 9999: the monotonic deadline saturates, it does not trap.
    @Test(arguments: ["0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
    func farAwayExpiriesSaturate(expiresAt: String) throws {
        let found = try #require(try expiry(message(expiresAt: expiresAt)))
        let deadline = found.deadline(monotonicNow: .seconds(10), wallNow: Self.takenAt)
        if expiresAt.hasPrefix("0000") {
            #expect(deadline < .zero)
            #expect(found.hasPassed(at: Self.takenAt))
        } else {
            #expect(deadline > .seconds(86_400 * 365 * 200))
            #expect(!found.hasPassed(at: Self.takenAt))
        }
    }
}
