import Testing
@testable import AMQPTransport

/// How subscriptions' consumers are placed on shared channels, and how a delivery's consumer tag finds its queue.
@Suite struct ConsumerChannelsTests {
    func channels(perChannel: Int, lastChannel: UInt16 = 2_047) -> ConsumerChannels {
        ConsumerChannels(firstChannel: 3, lastChannel: lastChannel, perChannel: perChannel)
    }

    /// Adds a consumer for `queue`, which must find room.
    @discardableResult
    func add(_ queue: String, to channels: inout ConsumerChannels) throws -> (consumer: ConsumerChannels.Consumer, opensChannel: Bool) {
        let placed = channels.add(queue)
        return try #require(placed)
    }

    @Test func consumersFillAChannelBeforeTheNextIsOpened() throws {
        var channels = channels(perChannel: 2)
        let placed = try (0..<5).map { try add("q\($0)", to: &channels) }
        #expect(placed.map(\.consumer.channel) == [3, 3, 4, 4, 5])
        #expect(placed.map(\.opensChannel) == [true, false, true, false, true])
        #expect(channels.channelsOpened == 3)
    }

    @Test func everyConsumerGetsATagOfItsOwnThatLeadsToItsQueue() throws {
        var channels = channels(perChannel: 64)
        let tags = try (0..<100).map { try add("q\($0)", to: &channels).consumer.tag }
        #expect(Set(tags).count == 100)
        #expect(tags.first == "ggw-1")
        for (index, tag) in tags.enumerated() {
            #expect(channels.queue(consumedBy: tag) == "q\(index)")
        }
        #expect(channels.queue(consumedBy: "ggw-ingress") == nil)
    }

    /// The 5,000 tenants of issue 24 on one connection, where one channel each stopped at RabbitMQ's channel_max.
    @Test func fiveThousandQueuesFitUnderRabbitMQsChannelMax() throws {
        var channels = ConsumerChannels(firstChannel: 3, lastChannel: 2_047)
        for index in 0..<5_000 { try add("org-\(index)", to: &channels) }
        #expect(channels.channelsOpened == (5_000 + ConsumerChannels.consumersPerChannel - 1) / ConsumerChannels.consumersPerChannel)
        #expect(channels.consumer(of: "org-4999").map { $0.channel <= 2_047 } == true)
    }

    @Test func whenEveryAllowedChannelIsFullThereIsNoRoom() throws {
        var channels = channels(perChannel: 2, lastChannel: 4)
        for index in 0..<4 { try add("q\(index)", to: &channels) }
        let noRoom = channels.add("q4")
        #expect(noRoom == nil)
        channels.remove("q1")
        let freed = channels.add("q4")
        #expect(freed?.consumer.channel == 3, "the freed place is used again")
    }

    @Test func aRemovedConsumersPlaceGoesToTheNextQueueAndItsChannelStaysOpen() throws {
        var channels = channels(perChannel: 2)
        for index in 0..<4 { try add("q\(index)", to: &channels) }
        let removedConsumer = channels.remove("q0")
        let removed = try #require(removedConsumer)
        #expect(removed.channel == 3)
        #expect(channels.consumer(of: "q0") == nil)
        let next = try add("q4", to: &channels)
        #expect(next.consumer.channel == 3 && !next.opensChannel)
        #expect(channels.channelsOpened == 2)
        let again = channels.remove("q0")
        #expect(again == nil, "removing twice changes nothing")
    }

    /// Deliveries the consumer sent before its cancel may still sit in rabbitmq-c's frame queue: they still find
    /// the queue, also once it is consumed again under a new tag, until the cancelled tags are forgotten.
    @Test func aCancelledConsumersTagLeadsToItsQueueUntilForgotten() throws {
        var channels = channels(perChannel: 64)
        let old = try add("q", to: &channels).consumer
        channels.remove("q")
        let new = try add("q", to: &channels).consumer
        #expect(new.tag != old.tag)
        #expect(channels.queue(consumedBy: old.tag) == "q" && channels.queue(consumedBy: new.tag) == "q")
        #expect(channels.liveQueue(consumedBy: old.tag) == nil, "a broker's cancel of the old tag is not the live consumer's")
        #expect(channels.liveQueue(consumedBy: new.tag) == "q")
        #expect(channels.hasCancelled)
        channels.forgetCancelled()
        #expect(!channels.hasCancelled)
        #expect(channels.queue(consumedBy: old.tag) == nil)
        #expect(channels.queue(consumedBy: new.tag) == "q")
    }
}
