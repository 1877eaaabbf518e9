/// Which channel each subscription's consumer is on, and which queue each consumer tag stands for, in one
/// connection.
///
/// Consumers share channels so that the number of subscriptions is not capped by the connection's `channel_max`
/// (2,047 on RabbitMQ by default; one channel per org queue closed the connection at the 2,046th org). Sharing
/// costs no isolation: the gateway sets `basic.qos` with `global=false` before each `basic.consume`, and RabbitMQ
/// applies that prefetch to each consumer created after it on its own. Deliveries on a shared channel are told
/// apart by their consumer tag, `ggw-<n>`, never reused in a connection, so that a delivery sent before a cancel
/// still finds its queue after the queue's next consumer started.
///
/// A channel keeps its number while the connection lasts, also once its consumers are gone: a delivery's tag,
/// and its ack, belong to the channel it came on.
struct ConsumerChannels {
    struct Consumer: Equatable {
        var channel: UInt16
        var tag: String
    }

    /// 64 consumers per channel: 5,000 org queues take 79 channels, and one connection holds 130,000. Not more,
    /// because RabbitMQ 3.10 looks up a single (not `multiple`) ack by walking the channel's unacked deliveries
    /// from the oldest, which on a shared channel includes the other consumers' older ones; and the gateway's
    /// `multiple` acks cover a channel's oldest deliveries only, so the fewer consumers interleave on a channel,
    /// the more acks still go as one. Not fewer, because every channel is an Erlang process in the broker and a
    /// decode pool in rabbitmq-c, which an idle gateway pays for.
    static let consumersPerChannel = 64

    let firstChannel: UInt16
    let lastChannel: UInt16
    let perChannel: Int

    /// Consumers on each channel opened so far (index 0 is `firstChannel`).
    private var consumerCounts: [Int] = []
    private var consumers: [String: Consumer] = [:]
    /// The queue of every tag that may still have deliveries coming: live consumers, and cancelled ones until
    /// ``forgetCancelled()``.
    private var queuesByTag: [String: String] = [:]
    private var cancelledTags: [String] = []
    private var lastTagNumber: UInt64 = 0

    /// - Parameters:
    ///   - firstChannel: the lowest channel number consumers may use (those below belong to the connection's own uses).
    ///   - lastChannel: the highest channel number the connection allows (its negotiated `channel_max`).
    ///   - perChannel: consumers at most on one channel.
    init(firstChannel: UInt16, lastChannel: UInt16, perChannel: Int = Self.consumersPerChannel) {
        self.firstChannel = firstChannel
        self.lastChannel = lastChannel
        self.perChannel = max(perChannel, 1)
    }

    /// Channels opened so far (numbered `firstChannel` up, without gaps).
    var channelsOpened: Int { consumerCounts.count }

    /// The live consumer of `queue`, if any.
    func consumer(of queue: String) -> Consumer? {
        consumers[queue]
    }

    /// The queue whose consumer (live, or cancelled with deliveries maybe still to come) has `tag`.
    func queue(consumedBy tag: String) -> String? {
        queuesByTag[tag]
    }

    /// A new consumer for `queue`, on the lowest channel with room, and whether that channel must be opened first;
    /// nil when every channel the connection allows is full. `queue` must have no live consumer.
    mutating func add(_ queue: String) -> (consumer: Consumer, opensChannel: Bool)? {
        precondition(consumers[queue] == nil, "a second consumer for \(queue)")
        let index: Int
        let opensChannel: Bool
        if let withRoom = consumerCounts.firstIndex(where: { $0 < perChannel }) {
            index = withRoom
            opensChannel = false
        } else {
            guard Int(firstChannel) + consumerCounts.count <= Int(lastChannel) else { return nil }
            index = consumerCounts.count
            consumerCounts.append(0)
            opensChannel = true
        }
        consumerCounts[index] += 1
        lastTagNumber += 1
        let consumer = Consumer(channel: firstChannel + UInt16(index), tag: "ggw-\(lastTagNumber)")
        consumers[queue] = consumer
        queuesByTag[consumer.tag] = queue
        return (consumer, opensChannel)
    }

    /// Takes `queue`'s consumer off its channel (cancelled by the gateway or the broker), freeing its place; its
    /// tag still leads to `queue` until ``forgetCancelled()``.
    @discardableResult
    mutating func remove(_ queue: String) -> Consumer? {
        guard let consumer = consumers.removeValue(forKey: queue) else { return nil }
        consumerCounts[Int(consumer.channel - firstChannel)] -= 1
        cancelledTags.append(consumer.tag)
        return consumer
    }

    /// The live consumer with `tag`'s queue, if that tag is a live consumer's.
    func liveQueue(consumedBy tag: String) -> String? {
        guard let queue = queuesByTag[tag], consumers[queue]?.tag == tag else { return nil }
        return queue
    }

    /// Whether cancelled consumers' tags are still kept.
    var hasCancelled: Bool { !cancelledTags.isEmpty }

    /// Cancelled consumers can deliver no more (rabbitmq-c holds no frame read before their cancel): forgets their tags.
    mutating func forgetCancelled() {
        for tag in cancelledTags { queuesByTag[tag] = nil }
        cancelledTags = []
    }
}
