/// Where an org's circuit stands.
public enum CircuitState: String, Sendable, Equatable {
    /// Calls flow; failures are counted in the rolling window.
    case closed
    /// Calls are held back until the open period ends.
    case open
    /// A few probe calls are let through to see whether Genesys recovered.
    case halfOpen = "half-open"
}

/// A state change, for logs, metrics and the alert events the queue publishes.
public struct CircuitTransition: Sendable, Equatable {
    public var from: CircuitState
    public var to: CircuitState
    /// Why, e.g. "12 of 20 calls failed (60%) in 60 s".
    public var reason: String
    /// How long the circuit stays open, when it just opened.
    public var openFor: Duration?
}

/// What the breaker says to a caller about to send.
public enum CircuitPermission: Sendable, Equatable {
    /// Send. `probe` is true in half-open, where the result decides the state.
    case allowed(probe: Bool)
    /// Do not send; try again after this long.
    case rejected(retryAfter: Duration)
}

/// How a call ended, as far as the breaker cares.
public enum CircuitOutcome: Sendable, Equatable {
    /// Genesys answered (delivered, or refused the message itself: 400, 404, ...).
    case success
    /// Genesys is unwell: 5xx, timeout, connection error.
    case failure
    /// Says nothing about Genesys' health (429, a token refresh): not counted.
    case ignored
}
