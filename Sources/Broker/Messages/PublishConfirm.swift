import Synchronization

/// The broker's answer to one publish: confirmed, or failed (nacked, returned as unroutable, connection
/// lost, client stopped). Completed exactly once by the connection thread; awaited by whoever published.
///
/// A class rather than a bare continuation so a publish can be handed over (in order) before anyone waits
/// for its answer, and so every path that drops a publish can answer it.
public final class PublishConfirm: Sendable {
    private enum State {
        case pending
        case waiting(CheckedContinuation<Void, any Error>)
        case callback(@Sendable (Result<Void, AMQPError>) -> Void)
        case done(Result<Void, AMQPError>)
    }

    private let state = Mutex(State.pending)

    package init() {}

    /// Returns once the broker confirmed the message; throws ``AMQPError`` otherwise.
    public func confirmed() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let result = state.withLock { state -> Result<Void, AMQPError>? in
                switch state {
                case .done(let result): return result
                case .pending, .waiting, .callback:
                    state = .waiting(continuation)
                    return nil
                }
            }
            if let result { continuation.resume(with: result.mapError { $0 as any Error }) }
        }
    }

    /// Calls `body` with the answer once it is known — at once if it is — instead of a task waiting for it.
    /// `body` may run on the AMQP connection's thread: keep it short and never block in it.
    public func whenAnswered(_ body: @escaping @Sendable (Result<Void, AMQPError>) -> Void) {
        let result = state.withLock { state -> Result<Void, AMQPError>? in
            switch state {
            case .done(let result): return result
            case .pending, .waiting, .callback:
                state = .callback(body)
                return nil
            }
        }
        if let result { body(result) }
    }

    /// Records the answer; later calls are ignored (the first answer stands).
    package func complete(_ result: Result<Void, AMQPError>) {
        let previous = state.withLock { state -> State in
            let previous = state
            if case .done = state { return previous }
            state = .done(result)
            return previous
        }
        switch previous {
        case .waiting(let continuation): continuation.resume(with: result.mapError { $0 as any Error })
        case .callback(let body): body(result)
        case .pending, .done: break
        }
    }
}
