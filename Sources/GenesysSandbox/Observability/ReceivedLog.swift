//
// ReceivedLog.swift — GenesysSandbox
// Accepted inbound calls per integration, in arrival order.
//

import NIOConcurrencyHelpers

/// Everything the inbound endpoints accepted, per integration, in arrival order.
final class ReceivedLog: Sendable {
    private struct State: Sendable {
        var nextSequence = 1
        var byIntegration: [String: [ReceivedMessage]] = [:]
    }

    private let state = NIOLockedValueBox(State())

    /// Appends one accepted call, assigning its sequence number.
    func append(_ make: (Int) -> ReceivedMessage) {
        state.withLockedValue { state in
            let message = make(state.nextSequence)
            state.nextSequence += 1
            state.byIntegration[message.integrationId, default: []].append(message)
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
