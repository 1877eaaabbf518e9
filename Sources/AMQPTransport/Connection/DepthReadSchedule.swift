/// Which consumed queues to read the depth of (a passive redeclare each) in a round of ``AMQPSession``'s
/// depth reads, so that an idle org costs the broker nothing.
///
/// A queue whose consumer holds none of its deliveries, was handed none since the last read, and was empty then,
/// is still empty: the broker pushes every message that arrives to a consumer with room in its prefetch window,
/// and that push would have been a delivery. Such a queue is not asked. The rule does not hold for a standby
/// consumer (a single-active-consumer queue delivers to its active consumer only), whose queue fills without a
/// delivery here, nor for a queue whose consumer the broker stalled; so every ``fullReadEvery``-th round reads
/// every queue.
struct DepthReadSchedule {
    /// 30 rounds: with reads every 2 s, a standby's figure is at most a minute old.
    static let fullReadEvery = 30

    /// Each queue's depth at its last read.
    private var lastRead: [String: Int] = [:]
    /// Queues that handed out a delivery since their last read.
    private var handedOut: Set<String> = []
    private var round = 0

    mutating func deliveryHandedOut(from queue: String) {
        handedOut.insert(queue)
    }

    /// The queues of `consumed` to read this round; `unsettled` tells how many of a queue's deliveries the
    /// consumer holds. Call ``read(_:depth:)`` for each one read and ``roundDone(consumed:)`` after.
    mutating func queuesToRead(of consumed: some Sequence<String>, unsettled: (String) -> Int) -> [String] {
        round += 1
        let everyQueue = round % Self.fullReadEvery == 1
        return consumed.filter { queue in
            guard !everyQueue, let depth = lastRead[queue] else { return true }
            return depth > 0 || handedOut.contains(queue) || unsettled(queue) > 0
        }
    }

    mutating func read(_ queue: String, depth: Int) {
        lastRead[queue] = depth
        handedOut.remove(queue)
    }

    /// The round's reads are done: forgets queues no longer consumed. The depths to publish are those of
    /// `consumed`, the ones not read this round as known (0 for those the rule skipped).
    mutating func roundDone(consumed: Set<String>) -> [String: Int] {
        lastRead = lastRead.filter { consumed.contains($0.key) }
        handedOut.formIntersection(consumed)
        return lastRead
    }
}
