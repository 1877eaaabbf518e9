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
public actor MessageStatusStore: MessageStatusReading {
    /// One message's story so far.
    public struct Entry: Sendable, Encodable {
        public var latest: StatusEvent
        /// Earlier statuses, oldest first (at most ``historyLimit``).
        public var history: [StatusEvent]

        /// The story of `events`, in the order they were published.
        init?(_ events: some Sequence<StatusEvent>) {
            var iterator = events.makeIterator()
            guard let first = iterator.next() else { return nil }
            self.init(latest: first, history: [])
            while let event = iterator.next() { add(event) }
        }

        init(latest: StatusEvent, history: [StatusEvent]) {
            self.latest = latest
            self.history = history
        }

        mutating func add(_ event: StatusEvent) {
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

    static let historyLimit = 20
    private var entries: BoundedDictionary<String, Entry>

    public init(capacity: Int = 100_000) {
        entries = BoundedDictionary(capacity: capacity)
    }

    public func publish(_ event: StatusEvent) {
        guard let messageID = event.messageId else { return }
        // Ids are the callers': two tenants may use the same one.
        let id = DeliveryReceipt.idempotencyKey(tenantID: event.tenantId, messageID: messageID)
        guard var entry = entries[id] else {
            entries[id] = Entry(latest: event, history: [])
            return
        }
        entry.add(event)
        entries[id] = entry
    }

    public func entry(for messageID: String, tenantID: String) -> Entry? {
        entries[DeliveryReceipt.idempotencyKey(tenantID: tenantID, messageID: messageID)]
    }
}
