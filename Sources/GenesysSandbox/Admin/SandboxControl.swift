//
// SandboxControl.swift — GenesysSandbox
// The in-process twin of the /sandbox admin endpoints: faults, revocation, what was received, stats.
//

/// Controls and observes a running sandbox from the same process (the `/sandbox/...` endpoints
/// offer the same over HTTP).
public struct SandboxControl: Sendable {
    let engine: SandboxEngine

    /// Replaces the faults of one client or integration (an `outageSeconds` starts now).
    public func setFaults(_ settings: FaultSettings, for target: FaultTarget) throws {
        try settings.validate()
        engine.faults.set(settings, for: target)
    }

    /// Removes the faults of one target, or of all targets when `target` is `nil`.
    public func clearFaults(for target: FaultTarget? = nil) {
        if let target { engine.faults.clear(target) } else { engine.faults.clearAll() }
    }

    /// Makes every current token of `clientId` invalid (API calls with them get 401 `bad.credentials`, counted
    /// as ``InjectedAnswer/revokedToken`` for the client).
    /// - Returns: how many tokens were revoked.
    @discardableResult
    public func revokeTokens(clientId: String) -> Int {
        engine.tokens.revokeAll(clientId: clientId)
    }

    /// Accepted inbound calls of one integration (or of all), in arrival order.
    public func received(integrationId: String? = nil) -> [ReceivedMessage] {
        engine.received.messages(integrationId: integrationId)
    }

    /// Status counters, per-client / per-org request rates, and the answers injected by faults and token
    /// revocations per target (``TrafficSnapshot/injected``).
    public func stats() -> TrafficSnapshot {
        engine.stats.snapshot()
    }

    /// Webhook deliveries so far.
    public func deliveries() -> [DeliveryReport] {
        engine.webhooks.allReports()
    }

    /// Sends an agent message in `conversationId` to the integration's webhook and waits for the
    /// delivery (retries included).
    /// - Returns: the delivery report, or `nil` if the integration has no webhook.
    public func sendAgentMessage(conversationId: String, text: String) async throws -> DeliveryReport? {
        guard let conversation = engine.conversations.conversation(conversationId) else {
            throw GenesysError.notFound("conversation")
        }
        return try await engine.sendAgentMessage(in: conversation, text: text, wait: true).1
    }

    /// Forgets received messages, counters, rate windows, deliveries and faults (tokens stay valid).
    public func reset() {
        engine.resetObservations()
    }
}
