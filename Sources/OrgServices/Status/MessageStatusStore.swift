import Foundation
import GatewayCore

/// Where `GET /v1/messages/{id}` reads a message's story: this process's ``MessageStatusStore``, or in shared
/// mode the one all replicas write (``SharedStatusHistory``).
public protocol MessageStatusReading: StatusSink {
    /// The message's entry, only when it belongs to `tenantID`.
    func entry(for messageID: String, tenantID: String) async -> MessageStatusStore.Entry?
}

/// The latest status of each recent message by our id, for `GET /v1/messages/{id}`.
///
/// Fed by the same status events the queue pipeline publishes (and the API's own sends), so a message's
/// status reads the same whichever way it came in. Bounded: the oldest messages are forgotten first; a
/// delivered message stays findable longer through the idempotency record.
///
/// Each event is kept as its JSON (``StatusEvent/jsonBytes``) and decoded only when asked for: a decoded event
/// is a 256-byte struct plus a heap string for each id and time in it, about twice its JSON, and the store
/// holds two or more events for each of up to `capacity` messages — the largest part of the gateway's memory
/// that grows with the messages it sent.
public actor MessageStatusStore: MessageStatusReading {
    /// One message's story so far.
    public typealias Entry = StatusStory<StatusEvent>

    static let historyLimit = 20
    private var entries: BoundedDictionary<String, StatusStory<KeptStatusEvent>>

    public init(capacity: Int = 100_000) {
        entries = BoundedDictionary(capacity: capacity)
    }

    public func publish(_ event: StatusEvent) {
        guard let messageID = event.messageId else { return }
        // Ids are the callers': two tenants may use the same one.
        let id = DeliveryReceipt.idempotencyKey(tenantID: event.tenantId, messageID: messageID)
        let kept = KeptStatusEvent(status: event.status, json: event.jsonBytes)
        guard var story = entries[id] else {
            entries[id] = StatusStory(latest: kept, history: [])
            return
        }
        story.add(kept)
        entries[id] = story
    }

    public func entry(for messageID: String, tenantID: String) -> Entry? {
        guard let story = entries[DeliveryReceipt.idempotencyKey(tenantID: tenantID, messageID: messageID)],
              let latest = story.latest.decoded
        else { return nil }
        return Entry(latest: latest, history: story.history.compactMap(\.decoded))
    }
}

/// A status event as the store keeps it: its JSON, and its status for the story's ordering.
struct KeptStatusEvent: StatusCarrying {
    var status: StatusEvent.Status
    var json: [UInt8]

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

    mutating func add(_ event: Event) {
        if event.status == .queued {
            // The API reports `queued` once the broker confirmed the message; the consumer may have reported
            // on it first. Queued is where a message starts, so it goes first.
            history.insert(event, at: 0)
            if history.count > MessageStatusStore.historyLimit { history.remove(at: 1) }
        } else {
            history.append(latest)
            latest = event
            if history.count > MessageStatusStore.historyLimit { history.remove(at: history.first?.status == .queued ? 1 : 0) }
        }
    }
}

extension StatusStory: Encodable where Event: Encodable {}
