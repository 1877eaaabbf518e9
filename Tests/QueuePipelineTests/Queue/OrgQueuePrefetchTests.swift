import Testing
@testable import QueuePipeline

@Suite struct OrgQueuePrefetchTests {
    @Test func prefetchFollowsTheRateWithinItsBounds() {
        let window = Duration.milliseconds(500)
        #expect(OrgQueueSubscriptions.prefetch(rate: 1, window: window, cap: 32) == 2)
        #expect(OrgQueueSubscriptions.prefetch(rate: 10, window: window, cap: 32) == 5)
        #expect(OrgQueueSubscriptions.prefetch(rate: 50, window: window, cap: 32) == 25)
        #expect(OrgQueueSubscriptions.prefetch(rate: 1000, window: window, cap: 32) == 32)
        #expect(OrgQueueSubscriptions.prefetch(rate: 0.01, window: window, cap: 32) == 2)
    }

    @Test func prefetchNeverTrapsOnOddRatesOrCaps() {
        let window = Duration.milliseconds(500)
        #expect(OrgQueueSubscriptions.prefetch(rate: .infinity, window: window, cap: 32) == 2)
        #expect(OrgQueueSubscriptions.prefetch(rate: .nan, window: window, cap: 32) == 2)
        #expect(OrgQueueSubscriptions.prefetch(rate: 1e300, window: window, cap: Int.max) == UInt16.max)
        #expect(OrgQueueSubscriptions.prefetch(rate: 5, window: window, cap: 0) == 2)
    }
}
