import Testing


/// `Duration.fractionalSeconds` takes doubles that come from outside (Retry-After, timestamp headers): it
/// must be total.
@Suite struct FractionalSecondsTests {
    @Test func nanIsZeroAndInfinitiesSaturate() {
        #expect(Duration.fractionalSeconds(.nan) == .zero)
        #expect(Duration.fractionalSeconds(.infinity) == .nanoseconds(Int64.max))
        #expect(Duration.fractionalSeconds(-.infinity) == .nanoseconds(Int64.min))
    }

    @Test func valuesBeyondInt64NanosecondsSaturate() {
        #expect(Duration.fractionalSeconds(1e10) == .nanoseconds(Int64.max))
        #expect(Duration.fractionalSeconds(9.3e9) == .nanoseconds(Int64.max))
        #expect(Duration.fractionalSeconds(-1e300) == .nanoseconds(Int64.min))
        #expect(Duration.fractionalSeconds(.greatestFiniteMagnitude) == .nanoseconds(Int64.max))
    }

    @Test func ordinaryValuesRoundToTheNearestNanosecond() {
        #expect(Duration.fractionalSeconds(1.5) == .milliseconds(1500))
        #expect(Duration.fractionalSeconds(-2.5) == .milliseconds(-2500))
        #expect(Duration.fractionalSeconds(0.000_000_001) == .nanoseconds(1))
        #expect(Duration.fractionalSeconds(0.000_000_000_4) == .zero)
        #expect(Duration.fractionalSeconds(0.000_000_000_6) == .nanoseconds(1))
        #expect(Duration.fractionalSeconds(86_400) == .seconds(86_400))
    }
}
