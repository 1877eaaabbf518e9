import Testing
@testable import OrgServices

@Suite struct RetryBackoffTests {
    @Test func theCeilingDoublesPerAttemptUpToTheMaximum() {
        let backoff = RetryBackoff(base: .milliseconds(500), maximum: .seconds(5), random: { $0.upperBound })
        #expect((1...6).map { backoff.delay(attempt: $0) } == [
            .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5),
        ])
        #expect(backoff.delay(attempt: 1000) == .seconds(5))
    }

    @Test func jitterIsFullFromZero() {
        let backoff = RetryBackoff(base: .seconds(1), maximum: .seconds(60), random: { $0.lowerBound })
        #expect(backoff.delay(attempt: 5) == .zero)
        let real = RetryBackoff(base: .seconds(1), maximum: .seconds(60))
        let delays = (0..<200).map { _ in real.delay(attempt: 3) }
        #expect(delays.allSatisfy { $0 >= .zero && $0 <= .seconds(4) })
        #expect(Set(delays).count > 100)  // spread out, not a fixed value
    }
}
