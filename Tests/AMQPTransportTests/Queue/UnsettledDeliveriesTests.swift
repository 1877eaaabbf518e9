import Testing

@testable import AMQPTransport

@Suite struct UnsettledDeliveriesTests {
    typealias Ack = UnsettledDeliveries.Ack

    func delivered(_ tags: ClosedRange<UInt64>, channel: UInt16 = 1) -> UnsettledDeliveries {
        var deliveries = UnsettledDeliveries()
        for tag in tags { deliveries.delivered(tag, channel: channel) }
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
        deliveries.delivered(1, channel: 7)
        deliveries.delivered(2, channel: 7)
        #expect(deliveries.acks(for: [2], channel: 7) == [Ack(tag: 2, multiple: false)])
        #expect(deliveries.acks(for: [1, 2], channel: 1) == [Ack(tag: 2, multiple: true)])
        #expect(deliveries.count(on: 7) == 1)
    }

    @Test func anUnknownTagIsStillAcked() {
        var deliveries = delivered(1...2)
        #expect(deliveries.acks(for: [9], channel: 1) == [Ack(tag: 9, multiple: false)])
        #expect(deliveries.count(on: 1) == 2)
    }
}
