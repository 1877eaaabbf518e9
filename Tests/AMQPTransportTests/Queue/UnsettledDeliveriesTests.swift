import Testing

@testable import AMQPTransport

@Suite struct UnsettledDeliveriesTests {
    typealias Ack = UnsettledDeliveries.Ack

    func delivered(_ tags: ClosedRange<UInt64>, channel: UInt16 = 1) -> UnsettledDeliveries {
        var deliveries = UnsettledDeliveries()
        for tag in tags { deliveries.delivered(tag, channel: channel, queue: "q") }
        return deliveries
    }

    @Test func acksOfTheOldestDeliveriesGoAsOneMultipleAck() {
        var deliveries = delivered(1...5)
        #expect(deliveries.acks(for: [2, 1, 3], channel: 1) == [Ack(tag: 3, multiple: true)])
        #expect(deliveries.count(on: 1) == 2)
        #expect(deliveries.acks(for: [4], channel: 1) == [Ack(tag: 4, multiple: false)])
    }

    @Test func anAckBehindAnUnsettledDeliveryIsSentAloneNotHeldBack() {
        var deliveries = delivered(1...5)
        // 1 is still out (a slow message): 2 and 4 must not wait for it, and a multiple ack would settle 1 too.
        #expect(deliveries.acks(for: [4, 2], channel: 1) == [Ack(tag: 2, multiple: false), Ack(tag: 4, multiple: false)])
        #expect(deliveries.acks(for: [1, 3], channel: 1) == [Ack(tag: 3, multiple: true)])
        #expect(deliveries.count(on: 1) == 1)
    }

    @Test func aRejectedDeliveryNoLongerBlocksTheRun() {
        var deliveries = delivered(1...4)
        deliveries.settled(1, channel: 1)
        #expect(deliveries.acks(for: [2, 3], channel: 1) == [Ack(tag: 3, multiple: true)])
        #expect(deliveries.count(on: 1) == 1)
    }

    @Test func channelsAreCountedApart() {
        var deliveries = delivered(1...3, channel: 1)
        deliveries.delivered(1, channel: 7, queue: "other")
        deliveries.delivered(2, channel: 7, queue: "other")
        #expect(deliveries.acks(for: [2], channel: 7) == [Ack(tag: 2, multiple: false)])
        #expect(deliveries.acks(for: [1, 2], channel: 1) == [Ack(tag: 2, multiple: true)])
        #expect(deliveries.count(on: 7) == 1)
    }

    @Test func anUnknownTagIsStillAcked() {
        var deliveries = delivered(1...2)
        #expect(deliveries.acks(for: [9], channel: 1) == [Ack(tag: 9, multiple: false)])
        #expect(deliveries.count(on: 1) == 2)
    }

    /// Several consumers on one channel: its delivery tags interleave across their queues, and a `multiple` ack
    /// must not settle another queue's delivery that is still being worked on.
    @Test func interleavedConsumersOnOneChannelGetAMultipleAckOnlyOverDeliveriesAllAcked() {
        var deliveries = UnsettledDeliveries()
        for (tag, queue) in [(1, "a"), (2, "b"), (3, "a"), (4, "a"), (5, "b")] as [(UInt64, String)] {
            deliveries.delivered(tag, channel: 3, queue: queue)
        }
        #expect(deliveries.count(from: "a") == 3 && deliveries.count(from: "b") == 2)
        // a's three are done, b's 2 is not: 1 goes alone, and 3 and 4 alone too (a multiple 4 would settle 2).
        #expect(
            deliveries.acks(for: [1, 3, 4], channel: 3)
                == [Ack(tag: 1, multiple: false), Ack(tag: 3, multiple: false), Ack(tag: 4, multiple: false)])
        #expect(deliveries.count(from: "a") == 0 && deliveries.count(from: "b") == 2)
        // Now b's are the oldest: one multiple ack covers both.
        #expect(deliveries.acks(for: [5, 2], channel: 3) == [Ack(tag: 5, multiple: true)])
        #expect(deliveries.count(on: 3) == 0 && deliveries.count(from: "b") == 0)
    }

    @Test func aRejectCountsAgainstItsOwnQueue() {
        var deliveries = UnsettledDeliveries()
        deliveries.delivered(1, channel: 3, queue: "a")
        deliveries.delivered(2, channel: 3, queue: "b")
        deliveries.settled(2, channel: 3)
        #expect(deliveries.count(from: "a") == 1 && deliveries.count(from: "b") == 0)
        deliveries.settled(9, channel: 3)  // unknown: nothing changes
        #expect(deliveries.count(from: "a") == 1 && deliveries.count(on: 3) == 1)
    }
}
