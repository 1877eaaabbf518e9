/// When ``AMQPSession`` stops waiting on the socket in ``AMQPConnectionLoop/idleWait`` steps and sleeps until
/// something happens, and for how long.
///
/// The 2 ms steps are what batches a busy connection's acks into `multiple` acks, so they stay as they are while
/// anything happens; but on an idle connection they were 500 wakeups a second (at 1,000 tenants the bulk of the
/// gateway's idle CPU). After ``idleAfter`` without an event or an operation the thread sleeps instead, until
/// the socket is readable or another thread hands it work, and no longer than its own timed work allows: the next
/// depth-read round, and half the heartbeat interval, because rabbitmq-c sends heartbeats only from inside its own
/// calls (the broker drops a connection it has not heard from for two intervals).
struct IdleSchedule {
    /// Long enough that a connection with work (a delivery or an ack at least every 100 ms) never sleeps and keeps
    /// its figures; short enough that idling costs a few dozen wakeups before the sleep.
    static let idleAfter = Duration.milliseconds(100)
    /// A sleep shorter than this is not worth its system calls: the 2 ms step does as well.
    static let shortestSleep = Duration.milliseconds(2)

    let idleAfter: Duration
    /// The longest sleep the heartbeat allows (nil: heartbeats are off).
    let heartbeatBound: Duration?
    /// Since when nothing has happened; nil while something did in the last turn.
    private var idleSince: ContinuousClock.Instant?

    /// - Parameter heartbeatSeconds: the connection's negotiated heartbeat interval (0: off).
    init(heartbeatSeconds: Int, idleAfter: Duration = Self.idleAfter) {
        self.idleAfter = idleAfter
        heartbeatBound = heartbeatSeconds > 0 ? .seconds(heartbeatSeconds) / 2 : nil
    }

    /// Something happened this turn (an event, an operation, a subscription change): the idle time starts over.
    /// Costs a store, so that the busy path stays as it is.
    mutating func active() {
        idleSince = nil
    }

    /// A turn in which nothing happened, at `now`; returns how long to sleep, or nil to keep to the 2 ms steps.
    /// - Parameters:
    ///   - nextDepthRead: when the next round of depth reads is due.
    ///   - buffered: whether rabbitmq-c holds data already read (frames queued, bytes in its buffer), which would
    ///     never make the socket readable; asked only once the connection has been idle long enough.
    mutating func idleTurn(
        now: ContinuousClock.Instant, nextDepthRead: ContinuousClock.Instant, buffered: @autoclosure () -> Bool
    ) -> Duration? {
        guard let since = idleSince else {
            idleSince = now
            return nil
        }
        guard now - since >= idleAfter, !buffered() else { return nil }
        var length = nextDepthRead - now
        if let heartbeatBound { length = min(length, heartbeatBound) }
        return length >= Self.shortestSleep ? length : nil
    }
}
