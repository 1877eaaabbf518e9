import Synchronization

/// The timestamps one message leaves behind on its way through the delivery core.
///
/// The benchmark binds a probe to the task that calls `deliver` (``current``); the timing decorators
/// around the org's rate limiter and the HTTP client read it and stamp the moments they see. `deliver`
/// runs on the caller's task from start to end, so every stamp belongs to that one message.
final class MessageProbe: Sendable {
    /// The probe of the message the current task is delivering, if any.
    static let current = TaskLocal<MessageProbe?>(wrappedValue: nil)

    /// A moment a decorator stamps.
    enum Mark: Sendable {
        case limiterCalled, limiterReturned, httpCalled, httpReturned
    }

    /// The stamps (monotonic clock time); `nil` when the message never got there.
    struct Marks: Sendable {
        var limiterCalled: Duration?
        var limiterReturned: Duration?
        var httpCalled: Duration?
        var httpReturned: Duration?
        /// HTTP calls made for this message (more than one only when a 401 made the core retry).
        var httpCalls = 0
    }

    private let state = Mutex(Marks())

    init() {}

    /// Stamps `mark` with `time`. The limiter and HTTP marks keep the last call's time.
    func stamp(_ mark: Mark, _ time: Duration) {
        state.withLock { marks in
            switch mark {
            case .limiterCalled: marks.limiterCalled = time
            case .limiterReturned: marks.limiterReturned = time
            case .httpCalled:
                marks.httpCalled = time
                marks.httpCalls += 1
            case .httpReturned: marks.httpReturned = time
            }
        }
    }

    var marks: Marks {
        state.withLock { $0 }
    }
}
