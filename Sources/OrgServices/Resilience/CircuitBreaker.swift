public import GatewayConfig
public import GatewayCore
/// One org's circuit breaker: a rolling window of per-second buckets.
///
/// Opens when, within the window, at least `minimumRequests` calls were made and the failure ratio reached
/// the threshold. While open, callers are told to come back later (their messages wait; they are neither
/// lost nor dead-lettered for it). After the open period it half-opens and lets `halfOpenProbes` calls
/// through: all succeed → closed; any fails → open again, for twice as long (up to `maxOpenSeconds`).
public actor CircuitBreaker {
    private let settings: CircuitBreakerSettings
    private let clock: any MonotonicClock
    private let onTransition: @Sendable (CircuitTransition) -> Void

    private var state: CircuitState = .closed
    private var window: RollingCounts
    private var openUntil: Duration = .zero
    private var currentOpenDuration: Duration
    private var probesStarted = 0
    private var probesSucceeded = 0
    private var trips = 0

    /// - Parameter onTransition: called on every state change (inside the actor: keep it quick).
    public init(
        settings: CircuitBreakerSettings, clock: any MonotonicClock,
        onTransition: @escaping @Sendable (CircuitTransition) -> Void = { _ in }
    ) {
        self.settings = settings
        self.clock = clock
        self.onTransition = onTransition
        window = RollingCounts(buckets: settings.windowSeconds)
        currentOpenDuration = .seconds(settings.openSeconds)
    }

    /// Whether a call may go out now.
    public func permission() -> CircuitPermission {
        let now = clock.now()
        switch state {
        case .closed:
            return .allowed(probe: false)
        case .open:
            guard now >= openUntil else { return .rejected(retryAfter: openUntil - now) }
            transition(to: .halfOpen, reason: "open period of \(currentOpenDuration) ended")
            return permission()
        case .halfOpen:
            guard probesStarted < settings.halfOpenProbes else {
                // Probes are out; the others wait about as long as a probe takes.
                return .rejected(retryAfter: .seconds(1))
            }
            probesStarted += 1
            return .allowed(probe: true)
        }
    }

    /// Records how a call that was allowed ended.
    public func record(_ outcome: CircuitOutcome, probe: Bool) {
        let now = clock.now()
        switch (state, outcome) {
        case (_, .ignored):
            if probe, state == .halfOpen { probesStarted -= 1 }  // the probe told us nothing; let another go
        case (.closed, _):
            window.add(failure: outcome == .failure, at: now)
            evaluate(at: now)
        case (.halfOpen, .failure) where probe:
            trip(reason: "a half-open probe failed", growing: true)
        case (.halfOpen, .success) where probe:
            probesSucceeded += 1
            if probesSucceeded >= settings.halfOpenProbes {
                transition(to: .closed, reason: "\(probesSucceeded) half-open probes succeeded")
            }
        default:
            break  // a call that started before the circuit opened: its result is stale
        }
    }

    /// Forces a state (admin API). Closing resets the window and the open-period growth.
    public func force(_ target: CircuitState) {
        switch target {
        case .open: trip(reason: "forced open by an operator", growing: false)
        case .closed: transition(to: .closed, reason: "forced closed by an operator")
        case .halfOpen: transition(to: .halfOpen, reason: "forced half-open by an operator")
        }
    }

    /// The state and the counts in the window, for metrics and the admin API.
    public func snapshot() -> CircuitSnapshot {
        let now = clock.now()
        let counts = window.totals(at: now)
        return CircuitSnapshot(
            state: state, calls: counts.calls, failures: counts.failures, trips: trips,
            openFor: state == .open ? max(.zero, openUntil - now) : .zero)
    }

    private func evaluate(at now: Duration) {
        let counts = window.totals(at: now)
        guard counts.calls >= settings.minimumRequests else { return }
        let percent = Double(counts.failures) * 100 / Double(counts.calls)
        guard percent >= settings.failureThresholdPercent else { return }
        trip(
            reason: "\(counts.failures) of \(counts.calls) calls failed (\(Int64(saturating: percent.rounded()))%) in \(settings.windowSeconds) s",
            growing: false)
    }

    private func trip(reason: String, growing: Bool) {
        if growing {
            currentOpenDuration = min(currentOpenDuration * 2, .seconds(settings.maxOpenSeconds))
        }
        trips += 1
        openUntil = clock.now() + currentOpenDuration
        transition(to: .open, reason: reason)
    }

    private func transition(to target: CircuitState, reason: String) {
        let from = state
        state = target
        probesStarted = 0
        probesSucceeded = 0
        if target == .closed {
            window.reset()
            currentOpenDuration = .seconds(settings.openSeconds)
        }
        onTransition(CircuitTransition(from: from, to: target, reason: reason, openFor: target == .open ? currentOpenDuration : nil))
    }
}

/// A breaker's state for metrics and the admin API.
public struct CircuitSnapshot: Sendable, Equatable {
    public var state: CircuitState
    public var calls: Int
    public var failures: Int
    public var trips: Int
    public var openFor: Duration
}
