import Testing
@testable import AMQPTransport

/// Which queues a round of depth reads asks the broker about: only those that may hold messages, and every one
/// now and then (a standby's queue fills without a delivery).
@Suite struct DepthReadScheduleTests {
    static let queues = ["org-a", "org-b", "org-c"]

    /// A schedule past its first (full) round with every queue read empty.
    func settled() -> DepthReadSchedule {
        var schedule = DepthReadSchedule()
        for queue in schedule.queuesToRead(of: Self.queues, unsettled: { _ in 0 }) { schedule.read(queue, depth: 0) }
        _ = schedule.roundDone(consumed: Set(Self.queues))
        return schedule
    }

    @Test func theFirstRoundReadsEveryQueue() {
        var schedule = DepthReadSchedule()
        #expect(schedule.queuesToRead(of: Self.queues, unsettled: { _ in 0 }) == Self.queues)
    }

    @Test func anEmptyQueueWithNothingHeldOrHandedOutIsNotAskedAndReadsZero() {
        var schedule = settled()
        #expect(schedule.queuesToRead(of: Self.queues, unsettled: { _ in 0 }).isEmpty)
        #expect(schedule.roundDone(consumed: Set(Self.queues)) == ["org-a": 0, "org-b": 0, "org-c": 0])
    }

    @Test func aQueueIsAskedAfterADeliveryWhileItHoldsDeliveriesAndWhileItWasNotEmpty() {
        var schedule = settled()
        schedule.deliveryHandedOut(from: "org-a")
        #expect(schedule.queuesToRead(of: Self.queues, unsettled: { $0 == "org-b" ? 2 : 0 }) == ["org-a", "org-b"])
        schedule.read("org-a", depth: 5)
        schedule.read("org-b", depth: 0)
        #expect(schedule.roundDone(consumed: Set(Self.queues)) == ["org-a": 5, "org-b": 0, "org-c": 0])
        // org-a had 5 waiting: asked again even with nothing handed out or held.
        #expect(schedule.queuesToRead(of: Self.queues, unsettled: { _ in 0 }) == ["org-a"])
    }

    @Test func everyQueueIsAskedEveryFullReadRound() {
        var schedule = settled()
        for round in 2...DepthReadSchedule.fullReadEvery {
            let asked = schedule.queuesToRead(of: Self.queues, unsettled: { _ in 0 })
            #expect(asked.isEmpty, "round \(round) asked \(asked)")
            _ = schedule.roundDone(consumed: Set(Self.queues))
        }
        #expect(schedule.queuesToRead(of: Self.queues, unsettled: { _ in 0 }) == Self.queues)
    }

    @Test func aQueueNoLongerConsumedIsForgottenAndANewOneIsRead() {
        var schedule = settled()
        #expect(schedule.roundDone(consumed: ["org-a"]) == ["org-a": 0])
        #expect(schedule.queuesToRead(of: ["org-a", "org-d"], unsettled: { _ in 0 }) == ["org-d"])
    }
}
