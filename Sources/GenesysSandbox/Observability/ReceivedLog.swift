//
// ReceivedLog.swift — GenesysSandbox
// Accepted inbound calls per integration, in arrival order.
//

import NIOConcurrencyHelpers

/// Everything the inbound endpoints accepted, per integration, in arrival order.
///
/// Each integration keeps at most `capacity` records; past that the oldest tenth is dropped (and
/// counted) so a sandbox left running does not grow without bound.
final class ReceivedLog: Sendable {
    private struct State: Sendable {
        var nextSequence = 1
        var byIntegration: [String: [ReceivedMessage]] = [:]
        var dropped = 0
    }

    private let state = NIOLockedValueBox(State())
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Records dropped because an integration went over its capacity.
    var droppedCount: Int { state.withLockedValue { $0.dropped } }

    /// Appends one accepted call, assigning its sequence number.
    func append(_ make: (Int) -> ReceivedMessage) {
        state.withLockedValue { state in
            let message = make(state.nextSequence)
            state.nextSequence += 1
            state.byIntegration[message.integrationId, default: []].append(message)
            if let count = state.byIntegration[message.integrationId]?.count, count > capacity {
                let excess = count - capacity + capacity / 10
                state.byIntegration[message.integrationId]?.removeFirst(excess)
                state.dropped += excess
            }
        }
    }

    /// The calls accepted for `integrationId` (or all integrations, merged by sequence).
    func messages(integrationId: String?) -> [ReceivedMessage] {
        state.withLockedValue { state in
            if let integrationId { return state.byIntegration[integrationId] ?? [] }
            return state.byIntegration.values.flatMap { $0 }.sorted { $0.sequence < $1.sequence }
        }
    }

    /// Forgets everything received.
    func reset() {
        state.withLockedValue { $0 = State() }
    }
}
