public import GatewayCore
import Synchronization

/// Claims a Genesys message for publishing once: this process's ``WebhookDeduplicator``, or in shared mode
/// the claim all replicas see (``SharedWebhookDeduplicator``), so a retry landing on another replica is
/// answered as a duplicate too.
public protocol WebhookDeduplicating: Sendable {
    /// True the first time `key` is claimed within the time to live; false for a repeat.
    func claim(_ key: WebhookDeduplicator.Key) async -> Bool
}

/// Remembers which Genesys messages each org's webhook has already taken, so Genesys' retries (up to 5,
/// 5 s apart, when an answer is late or lost) are answered without publishing the message again.
///
/// An entry lives for `timeToLive` (default 10 minutes, well past Genesys' last retry). At most `capacity`
/// entries are kept; past that the oldest go first, so a flood of distinct ids cannot grow memory without
/// bound. Memory only: after a restart a late retry may be published once more, and the channel side
/// deduplicates by `genesysMessageId` if it must never see a message twice.
public final class WebhookDeduplicator: WebhookDeduplicating {
    /// One message of one org.
    public struct Key: Hashable, Sendable {
        public var org: OrgKey
        public var genesysMessageID: String

        public init(org: OrgKey, genesysMessageID: String) {
            self.org = org
            self.genesysMessageID = genesysMessageID
        }
    }

    private struct State {
        var expiries: [Key: Duration] = [:]
        /// Keys in the order they were claimed (the order they expire in, as every entry lives equally long).
        var order: [Key] = []
        var head = 0

        mutating func dropOldest() {
            let key = order[head]
            head += 1
            expiries.removeValue(forKey: key)
        }

        /// Drops the consumed front of `order` once it is most of the array, so it does not grow forever.
        mutating func compact() {
            if head > 1024, head * 2 > order.count {
                order.removeFirst(head)
                head = 0
            }
        }
    }

    private let state = Mutex(State())
    private let clock: any MonotonicClock
    private let timeToLive: Duration
    private let capacity: Int

    /// - Parameters:
    ///   - clock: the monotonic clock entries expire by.
    ///   - timeToLive: how long a message is remembered.
    ///   - capacity: the most messages remembered at once (at least 1).
    public init(clock: any MonotonicClock, timeToLive: Duration = .seconds(600), capacity: Int = 100_000) {
        self.clock = clock
        self.timeToLive = timeToLive
        self.capacity = max(1, capacity)
    }

    /// Records `key` and returns true when it was not already remembered (the first time the message is
    /// seen, or again after its entry expired); false for a repeat within the time to live.
    public func claim(_ key: Key) -> Bool {
        let now = clock.now()
        return state.withLock { state in
            while state.head < state.order.count, let expiry = state.expiries[state.order[state.head]], expiry <= now {
                state.dropOldest()
            }
            if let expiry = state.expiries[key], expiry > now { return false }
            while state.expiries.count >= capacity { state.dropOldest() }
            state.expiries[key] = now + timeToLive
            state.order.append(key)
            state.compact()
            return true
        }
    }

    /// How many messages are remembered now (expired ones included until the next claim drops them).
    public var count: Int {
        state.withLock { $0.expiries.count }
    }
}
