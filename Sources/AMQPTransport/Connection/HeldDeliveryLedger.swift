import Broker
import Synchronization

/// Per queue, the deliveries of the current connection not yet settled and whether its consumer may still
/// deliver (``MessageBroker/deliveriesHeld(from:)``). Written by the connection thread as it hands deliveries
/// out and starts or stops consumers, and by ``AMQPClient/ack(_:)`` and ``AMQPClient/reject(_:requeue:)`` as a
/// delivery is settled (when the settlement is handed over, not when the thread sends it: the message is done).
final class HeldDeliveryLedger: Sendable {
    private struct State {
        var generation = 0
        var unsettled: [String: Int] = [:]
        /// Queues with a consumer on this connection, or whose cancelled consumer's last deliveries may still sit
        /// in rabbitmq-c's buffer.
        var consuming: Set<String> = []
    }

    private let state = Mutex(State())

    /// A new connection (or none: generation 0): the broker took back everything the last one held.
    func connected(generation: Int) {
        state.withLock { $0 = State(generation: generation) }
    }

    func handedOut(from queue: String) {
        state.withLock { $0.unsettled[queue, default: 0] += 1 }
    }

    func settled(from queue: String, generation: Int) {
        state.withLock { state in
            guard state.generation == generation, let count = state.unsettled[queue] else { return }
            state.unsettled[queue] = count > 1 ? count - 1 : nil
        }
    }

    func consuming(_ queue: String) {
        _ = state.withLock { $0.consuming.insert(queue) }
    }

    /// The consumers of `queues` are cancelled and their last deliveries handed out.
    func stoppedConsuming(_ queues: some Sequence<String>) {
        state.withLock { $0.consuming.subtract(queues) }
    }

    func held(from queue: String) -> HeldDeliveries {
        state.withLock { HeldDeliveries(unsettled: $0.unsettled[queue] ?? 0, mayReceiveMore: $0.consuming.contains(queue)) }
    }
}
