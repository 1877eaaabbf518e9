/// The deliveries of one connection that are neither acked nor rejected yet, per channel, so that acks
/// carried out together go to the broker as few frames as possible.
///
/// A `basic.ack` with `multiple` settles every unsettled delivery of its channel up to its tag. Acks that
/// cover the oldest unsettled deliveries of a channel without a gap (the usual case: the router acks in
/// delivery order) therefore go as one frame; the rest go one by one, never held back — an ack that waited
/// for an older, slow message would keep the channel's prefetch window full.
struct UnsettledDeliveries {
    /// One frame to send: ack `tag`, and with `multiple` every unsettled delivery of the channel below it.
    struct Ack: Equatable {
        var tag: UInt64
        var multiple: Bool
    }

    /// Per channel, in delivery order (the broker numbers a channel's deliveries upward).
    private var byChannel: [UInt16: [UInt64]] = [:]

    /// Records a delivery handed to the gateway.
    mutating func delivered(_ tag: UInt64, channel: UInt16) {
        byChannel[channel, default: []].append(tag)
    }

    /// Forgets a delivery settled on its own (rejected, or acked singly).
    mutating func settled(_ tag: UInt64, channel: UInt16) {
        guard var tags = byChannel[channel], let index = Self.index(of: tag, in: tags) else { return }
        tags.remove(at: index)
        byChannel[channel] = tags
    }

    /// The frames that ack `tags` on `channel`, and forgets those deliveries.
    mutating func acks(for tags: [UInt64], channel: UInt16) -> [Ack] {
        guard !tags.isEmpty else { return [] }
        var wanted = Set(tags)
        var unsettled = byChannel[channel] ?? []
        var run = 0
        while run < unsettled.count, wanted.contains(unsettled[run]) {
            run += 1
        }
        var frames: [Ack] = []
        if run > 0 {
            let last = unsettled[run - 1]
            frames.append(Ack(tag: last, multiple: run > 1))
            wanted.subtract(unsettled[..<run])
            unsettled.removeFirst(run)
        }
        for tag in wanted.sorted() {
            frames.append(Ack(tag: tag, multiple: false))
            if let index = Self.index(of: tag, in: unsettled) { unsettled.remove(at: index) }
        }
        byChannel[channel] = unsettled
        return frames
    }

    /// How many deliveries of `channel` are unsettled.
    func count(on channel: UInt16) -> Int {
        byChannel[channel]?.count ?? 0
    }

    /// Binary search in an ascending list.
    private static func index(of tag: UInt64, in tags: [UInt64]) -> Int? {
        var low = 0
        var high = tags.count
        while low < high {
            let middle = (low + high) / 2
            if tags[middle] < tag { low = middle + 1 } else { high = middle }
        }
        return low < tags.count && tags[low] == tag ? low : nil
    }
}
