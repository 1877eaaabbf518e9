/// The deliveries of one connection that are neither acked nor rejected yet, per channel, so that acks
/// carried out together go to the broker as few frames as possible.
///
/// A `basic.ack` with `multiple` settles every unsettled delivery of its channel up to its tag. Acks that
/// cover the oldest unsettled deliveries of a channel without a gap (the usual case: the router acks in
/// delivery order) therefore go as one frame; the rest go one by one, never held back — an ack that waited
/// for an older, slow message would keep the channel's prefetch window full.
///
/// Several consumers may share a channel (``ConsumerChannels``): a channel's deliveries are then those of all its
/// consumers, interleaved, and a `multiple` ack goes out only when every older delivery of the channel, whichever
/// queue it came from, is acked in the same turn. Counts are also kept per queue, for the depth reads.
struct UnsettledDeliveries {
    /// One frame to send: ack `tag`, and with `multiple` every unsettled delivery of the channel below it.
    struct Ack: Equatable {
        var tag: UInt64
        var multiple: Bool
    }

    private struct Delivery {
        var tag: UInt64
        var queue: String
    }

    /// Per channel, in delivery order (the broker numbers a channel's deliveries upward).
    private var byChannel: [UInt16: [Delivery]] = [:]
    private var countsByQueue: [String: Int] = [:]

    /// Records a delivery from `queue` handed to the gateway.
    mutating func delivered(_ tag: UInt64, channel: UInt16, queue: String) {
        byChannel[channel, default: []].append(Delivery(tag: tag, queue: queue))
        countsByQueue[queue, default: 0] += 1
    }

    /// Forgets a delivery settled on its own (rejected, or acked singly).
    mutating func settled(_ tag: UInt64, channel: UInt16) {
        guard var deliveries = byChannel[channel], let index = Self.index(of: tag, in: deliveries) else { return }
        forget(deliveries.remove(at: index))
        byChannel[channel] = deliveries
    }

    /// The frames that ack `tags` on `channel`, and forgets those deliveries.
    mutating func acks(for tags: [UInt64], channel: UInt16) -> [Ack] {
        guard !tags.isEmpty else { return [] }
        var wanted = Set(tags)
        var unsettled = byChannel[channel] ?? []
        var run = 0
        while run < unsettled.count, wanted.contains(unsettled[run].tag) {
            run += 1
        }
        var frames: [Ack] = []
        if run > 0 {
            frames.append(Ack(tag: unsettled[run - 1].tag, multiple: run > 1))
            for delivery in unsettled[..<run] {
                wanted.remove(delivery.tag)
                forget(delivery)
            }
            unsettled.removeFirst(run)
        }
        for tag in wanted.sorted() {
            frames.append(Ack(tag: tag, multiple: false))
            if let index = Self.index(of: tag, in: unsettled) { forget(unsettled.remove(at: index)) }
        }
        byChannel[channel] = unsettled
        return frames
    }

    /// How many deliveries of `channel` are unsettled.
    func count(on channel: UInt16) -> Int {
        byChannel[channel]?.count ?? 0
    }

    /// How many deliveries from `queue` are unsettled.
    func count(from queue: String) -> Int {
        countsByQueue[queue] ?? 0
    }

    private mutating func forget(_ delivery: Delivery) {
        let left = (countsByQueue[delivery.queue] ?? 1) - 1
        countsByQueue[delivery.queue] = left > 0 ? left : nil
    }

    /// Binary search in a list ascending by tag.
    private static func index(of tag: UInt64, in deliveries: [Delivery]) -> Int? {
        var low = 0
        var high = deliveries.count
        while low < high {
            let middle = (low + high) / 2
            if deliveries[middle].tag < tag { low = middle + 1 } else { high = middle }
        }
        return low < deliveries.count && deliveries[low].tag == tag ? low : nil
    }
}
