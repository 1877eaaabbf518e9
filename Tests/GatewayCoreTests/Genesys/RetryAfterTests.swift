import Foundation
import Testing

@testable import GatewayCore

/// `Retry-After` comes from Genesys, its login host or any proxy in between: whatever it says, reading it
/// must not trap, and the delay stays within 0 … 1 day.
@Suite struct RetryAfterTests {
    func retryAfter(_ value: String) -> Duration? {
        HTTPResponse(status: 429, headers: ["retry-after": value]).retryAfter
    }

    @Test func wholeSecondsAreTakenAsTheyCome() {
        #expect(retryAfter("120") == .seconds(120))
        #expect(retryAfter(" 7 ") == .seconds(7))
        #expect(retryAfter("0") == .zero)
        #expect(HTTPResponse(status: 429).retryAfter == nil)
    }

    @Test func hugeAndInfiniteValuesAreClampedToOneDay() {
        for value in ["1e10", "inf", "infinity", "99999999999999999999", "86401"] {
            #expect(retryAfter(value) == .seconds(86_400), "\(value)")
        }
    }

    @Test func negativeValuesMeanNow() {
        #expect(retryAfter("-5") == .zero)
        #expect(retryAfter("-inf") == .zero)
    }

    @Test func nanAndOtherNonNumbersAreIgnored() {
        for value in ["nan", "", "soon", "12 seconds"] {
            #expect(retryAfter(value) == nil, "\(value)")
        }
    }

    @Test func anHTTPDateIsADelayFromNowWithinTheSameBounds() {
        #expect(retryAfter("Fri, 01 Jan 2100 00:00:00 GMT") == .seconds(86_400))
        #expect(retryAfter("Sun, 06 Nov 1994 08:49:37 GMT") == .zero)
        let date = Date(timeIntervalSince1970: 1_445_412_480)  // Wed, 21 Oct 2015 07:28:00 GMT
        #expect(RetryAfter.delay("Wed, 21 Oct 2015 07:28:00 GMT", now: date - 120) == .seconds(120))
        #expect(RetryAfter.delay("Wed, 21 Oct 2015 07:28:00 GMT", now: date - 0.5) == .milliseconds(500))
    }
}
