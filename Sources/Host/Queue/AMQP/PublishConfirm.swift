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
        case done(Result<Void, AMQPError>)
    }

    private let state = Mutex(State.pending)

    init() {}

    /// Returns once the broker confirmed the message; throws ``AMQPError`` otherwise.
    public func confirmed() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let result = state.withLock { state -> Result<Void, AMQPError>? in
                switch state {
                case .done(let result): return result
                case .pending, .waiting:
                    state = .waiting(continuation)
                    return nil
                }
            }
            if let result { continuation.resume(with: result.mapError { $0 as any Error }) }
        }
    }

    /// Records the answer; later calls are ignored (the first answer stands).
    func complete(_ result: Result<Void, AMQPError>) {
        let waiting = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            switch state {
            case .done: return nil
            case .pending:
                state = .done(result)
                return nil
            case .waiting(let continuation):
                state = .done(result)
                return continuation
            }
        }
        waiting?.resume(with: result.mapError { $0 as any Error })
    }
}
