import Foundation
import Testing

@testable import AMQPTransport
@testable import Broker

/// The retry headers of a delivery are whatever its publisher wrote: a crafted value must neither crash the
/// gateway (issue 11: `x-ggw-first-attempt-ms: -9000000000000` did, with every redelivery) nor stretch a
/// message's attempts or retry time.
@Suite struct RetryStateTests {
    func state(firstAttempt milliseconds: Int64) -> QueueHeaders.RetryState {
        QueueHeaders.RetryState([QueueHeaders.firstAttemptMilliseconds: .int(milliseconds)])
    }

    /// What `MessageProcessor` makes of the header: the time since the first attempt, as a `Duration`.
    func elapsed(_ state: QueueHeaders.RetryState) -> Duration {
        Duration.fractionalSeconds(max(0, Date().timeIntervalSince(state.firstAttempt ?? Date())))
    }

    @Test(arguments: [-9_000_000_000_000, Int64.min, Int64.max, -1, 0])
    func anAbsurdFirstAttemptIsAbsentAndItsElapsedTimeDoesNotTrap(milliseconds: Int64) {
        let state = state(firstAttempt: milliseconds)
        #expect(state.firstAttempt == nil)
        #expect(elapsed(state) < .seconds(1))
    }

    @Test func aFirstAttemptInTheFutureOrBefore2000IsAbsent() {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(state(firstAttempt: now + 3_600_000).firstAttempt == nil)
        #expect(state(firstAttempt: 946_684_799_999).firstAttempt == nil)
        #expect(state(firstAttempt: 946_684_800_000).firstAttempt == Date(timeIntervalSince1970: 946_684_800))
    }

    @Test func aPlausibleFirstAttemptIsKept() throws {
        let minuteAgo = Int64(Date().timeIntervalSince1970 * 1000) - 60_000
        let kept = try #require(state(firstAttempt: minuteAgo).firstAttempt)
        #expect(abs(kept.timeIntervalSince1970 * 1000 - Double(minuteAgo)) < 1)
        #expect(QueueHeaders.RetryState([QueueHeaders.firstAttemptMilliseconds: .string(String(minuteAgo))]).firstAttempt == kept)
    }

    @Test func theAttemptIsClampedToOneThroughTenThousand() {
        func attempt(_ value: AMQPFieldValue?) -> Int {
            QueueHeaders.RetryState(value.map { [QueueHeaders.attempt: $0] } ?? [:]).attempt
        }
        #expect(attempt(nil) == 1)
        #expect(attempt(.int(7)) == 7)
        #expect(attempt(.string("12")) == 12)
        #expect(attempt(.int(0)) == 1)
        #expect(attempt(.int(Int64.min)) == 1)
        #expect(attempt(.int(10_000)) == 10_000)
        #expect(attempt(.int(10_001)) == 10_000)
        #expect(attempt(.int(Int64.max)) == 10_000)
    }

    @Test func retryHeadersForAnyFirstAttemptDoNotTrap() {
        func written(_ firstAttempt: Date) -> AMQPFieldValue? {
            let headers = QueueHeaders.retry(
                from: [:], attempt: 2, firstAttempt: firstAttempt, sequence: 1, reason: "test", error: nil)
            return headers.first { $0.0 == QueueHeaders.firstAttemptMilliseconds }?.1
        }
        #expect(written(Date(timeIntervalSince1970: 1_700_000_000.123_4)) == .int(1_700_000_000_123))
        #expect(written(Date(timeIntervalSince1970: 1e300)) == .int(Int64.max))
        #expect(written(Date(timeIntervalSince1970: -1e300)) == .int(Int64.min))
    }
}
