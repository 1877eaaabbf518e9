import Foundation
public import GatewayCore

/// Where `GET /v1/messages/{id}` reads a message's story: this process's ``MessageStatusStore``, or in shared
/// mode the one all replicas write (``SharedStatusHistory``).
public protocol MessageStatusReading: StatusSink {
    /// The message's entry, only when it belongs to `tenantID`.
    func entry(for messageID: String, tenantID: String) async -> MessageStatusStore.Entry?
}

/// The latest status of each recent message by our id, for `GET /v1/messages/{id}`.
///
/// Fed by the same status events the queue pipeline publishes (and the API's own sends), so a message's
/// status reads the same whichever way it came in. Bounded by ``StatusHistoryLimits``: the bytes held, the time
/// since a message's last event, and the number of messages; the message whose last event is oldest is forgotten
/// first (a message still being retried stays). A delivered message stays findable longer through the idempotency
/// record.
///
/// Each event is kept as its JSON (``StatusEvent/jsonBytes``) and decoded only when asked for: a decoded event
/// is a 256-byte struct plus a heap string for each id and time in it, about twice its JSON, and the store
/// holds two or more events for each message — the largest part of the gateway's memory that grows with the
/// messages it sent.
///
/// On the hot path (two events per message): a publish costs a few dictionary operations and an append, and
/// forgetting is amortised O(1), never a scan of the store.
public actor MessageStatusStore: MessageStatusReading {
    /// One message's story so far.
    public typealias Entry = StatusStory<StatusEvent>

    /// What the store holds now (the `status_history` gauges).
    public struct Holding: Sendable, Equatable {
        public var messages: Int
        /// Estimated as the limit counts them (``StatusHistoryCost``).
        public var bytes: Int
    }

    static let historyLimit = 20

    public nonisolated let limits: StatusHistoryLimits
    private let clock: any MonotonicClock
    private var stories: [String: HeldStory] = [:]
    /// The stories' keys in the order of their last event, oldest first. A key is appended at each event and only
    /// its newest slot (``HeldStory/slot``) stands for it; older ones are passed over when they come to the head.
    private var order: [String] = []
    /// Index in `order` of the oldest slot not yet passed over.
    private var head = 0
    /// Slots removed from the front of `order` so far: slot number `n` is `order[n - removedSlots]`.
    private var removedSlots = 0
    /// The stories' bytes, without `order`'s.
    private var storyBytes = 0

    public init(limits: StatusHistoryLimits = StatusHistoryLimits(), clock: any MonotonicClock = SystemClock()) {
        self.limits = limits
        self.clock = clock
    }

    public func publish(_ event: StatusEvent) {
        guard let messageID = event.messageId else { return }
        // Ids are the callers': two tenants may use the same one.
        let id = DeliveryReceipt.idempotencyKey(tenantID: event.tenantId, messageID: messageID)
        let kept = KeptStatusEvent(status: event.status, json: event.jsonBytes)
        let now = clock.now()
        let slot = removedSlots + order.count
        order.append(id)
        if let index = stories.index(forKey: id) {
            // In place: a copy of the story would copy its history array.
            storyBytes += stories.values[index].add(kept, at: now, slot: slot)
        } else {
            let held = HeldStory(id: id, first: kept, at: now, slot: slot)
            storyBytes += held.bytes
            stories[id] = held
        }
        forgetBeyondLimits(now: now)
    }

    public func entry(for messageID: String, tenantID: String) -> Entry? {
        forgetBeyondLimits(now: clock.now())
        guard let held = stories[DeliveryReceipt.idempotencyKey(tenantID: tenantID, messageID: messageID)],
              let latest = held.story.latest.decoded
        else { return nil }
        return Entry(latest: latest, history: held.story.history.compactMap(\.decoded))
    }

    /// What the store holds, once what is past the age limit is forgotten (so an idle gateway's gauges fall too).
    public func holding() -> Holding {
        forgetBeyondLimits(now: clock.now())
        return Holding(messages: stories.count, bytes: heldBytes)
    }

    private var heldBytes: Int {
        storyBytes + (order.count - head) * StatusHistoryCost.slot
    }

    /// Forgets the stories with the oldest last event while a limit is passed. Each slot comes to the head once,
    /// so over many events this costs O(1) each.
    private func forgetBeyondLimits(now: Duration) {
        let tooOld = now - limits.maxAge
        while head < order.count {
            if let index = stories.index(forKey: order[head]), stories.values[index].slot == removedSlots + head {
                let oldest = stories.values[index]
                guard oldest.lastEvent <= tooOld || stories.count > limits.maxMessages || heldBytes > limits.maxBytes
                else { break }
                storyBytes -= oldest.bytes
                stories.remove(at: index)
            }
            head += 1
        }
        // Drops the passed-over prefix once it is half of `order`, copying the rest into a new array: `removeFirst`
        // would keep the capacity of the largest `order` ever (a burst's, or the fill before a limit was first
        // reached). It copies at most as many slots as it drops, so this too is O(1) per event.
        if head >= 1024, head * 2 >= order.count {
            order = Array(order[head...])
            removedSlots += head
            head = 0
        }
    }
}

/// One message's story as the store holds it: what it costs and when and where its last event came.
struct HeldStory {
    var story: StatusStory<KeptStatusEvent>
    var bytes: Int
    var lastEvent: Duration
    /// The slot of its last event in the store's order.
    var slot: Int

    init(id: String, first: KeptStatusEvent, at time: Duration, slot: Int) {
        story = StatusStory(latest: first, history: [])
        bytes = StatusHistoryCost.message(id: id) + StatusHistoryCost.event(first)
        lastEvent = time
        self.slot = slot
    }

    /// Adds `event` and returns how much the story grew (less the event a full history let go).
    mutating func add(_ event: KeptStatusEvent, at time: Duration, slot: Int) -> Int {
        var growth = StatusHistoryCost.event(event)
        if let forgotten = story.add(event) { growth -= StatusHistoryCost.event(forgotten) }
        bytes += growth
        lastEvent = time
        self.slot = slot
        return growth
    }
}

/// A status event as the store keeps it: its JSON, and its status for the story's ordering.
struct KeptStatusEvent: StatusCarrying {
    var status: StatusEvent.Status
    var json: [UInt8]

    /// Keeps a copy of `json` of just its size: the writer reserves 256 bytes and doubles past them, a buffer
    /// fit for a call, and the store keeps each event up to `--status-history-max-age`.
    init(status: StatusEvent.Status, json: [UInt8]) {
        self.status = status
        self.json = [UInt8](unsafeUninitializedCapacity: json.count) { buffer, count in
            count = buffer.initialize(fromContentsOf: json)
        }
    }

    /// The event again; nil only if `json` were not what ``StatusEvent/jsonBytes`` wrote.
    var decoded: StatusEvent? {
        try? JSONDecoder().decode(StatusEvent.self, from: Data(json))
    }
}

/// Anything that says which status it reports.
public protocol StatusCarrying: Sendable {
    var status: StatusEvent.Status { get }
}

extension StatusEvent: StatusCarrying {}

/// A message's statuses: the latest and, oldest first, at most ``MessageStatusStore/historyLimit`` before it.
public struct StatusStory<Event: StatusCarrying>: Sendable {
    public var latest: Event
    /// Earlier statuses, oldest first.
    public var history: [Event]

    /// The story of `events`, in the order they were published.
    init?(_ events: some Sequence<Event>) {
        var iterator = events.makeIterator()
        guard let first = iterator.next() else { return nil }
        self.init(latest: first, history: [])
        while let event = iterator.next() { add(event) }
    }

    package init(latest: Event, history: [Event]) {
        self.latest = latest
        self.history = history
    }

    /// Adds `event`; returns the event a full history let go, if any.
    @discardableResult
    mutating func add(_ event: Event) -> Event? {
        if event.status == .queued {
            // The API reports `queued` once the broker confirmed the message; the consumer may have reported
            // on it first. Queued is where a message starts, so it goes first.
            history.insert(event, at: 0)
            return history.count > MessageStatusStore.historyLimit ? history.remove(at: 1) : nil
        }
        history.append(latest)
        latest = event
        return history.count > MessageStatusStore.historyLimit ? history.remove(at: history.first?.status == .queued ? 1 : 0) : nil
    }
}

extension StatusStory: Encodable where Event: Encodable {}
