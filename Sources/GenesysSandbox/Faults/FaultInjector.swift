//
// FaultInjector.swift — GenesysSandbox
// Active faults per target, and the decision for one request.
//

import Foundation
import NIOConcurrencyHelpers

/// What the fault injector decided for one request.
struct FaultDecision: Sendable {
    enum Outcome: Sendable {
        case proceed
        case fail(GenesysError)
        case resetConnection
    }

    /// Delay to apply before the outcome (latency, jitter, slow response).
    var delayMilliseconds: Int = 0
    var outcome: Outcome = .proceed
    /// The injected answers this decision gives (a slow response, then a failure or reset), counted by
    /// ``FaultGate`` when it carries them out.
    var injected: [InjectedMark] = []
}

/// The faults in force, changed at run time through the admin API.
final class FaultInjector: Sendable {
    private struct ActiveFault: Sendable {
        var settings: FaultSettings
        var outageUntil: Date?
        var burstRemaining: Int
    }

    private let active = NIOLockedValueBox<[FaultTarget: ActiveFault]>([:])
    private let clock: any SandboxClock

    init(clock: any SandboxClock, rules: [FaultRule]) {
        self.clock = clock
        for rule in rules { set(rule.settings, for: rule.target) }
    }

    /// Replaces the faults of `target`; an `outageSeconds` starts its outage now, and
    /// `burst429Count` arms that many 429s.
    func set(_ settings: FaultSettings, for target: FaultTarget) {
        let now = clock.now()
        let fault = ActiveFault(
            settings: settings,
            outageUntil: settings.outageSeconds > 0 ? now.addingTimeInterval(TimeInterval(settings.outageSeconds)) : nil,
            burstRemaining: settings.burst429Count)
        active.withLockedValue { $0[target] = fault }
    }

    /// Removes the faults of `target`.
    func clear(_ target: FaultTarget) {
        active.withLockedValue { _ = $0.removeValue(forKey: target) }
    }

    /// Removes every fault.
    func clearAll() {
        active.withLockedValue { $0.removeAll() }
    }

    /// The faults in force, with the seconds left of each outage and the 429s left of each burst.
    func snapshot() -> [(target: FaultTarget, settings: FaultSettings, outageRemainingSeconds: Int, burst429Remaining: Int)] {
        let now = clock.now()
        return active.withLockedValue { active in
            active.map { target, fault in
                let remaining = fault.outageUntil.map { max(0, Int($0.timeIntervalSince(now).rounded(.up))) } ?? 0
                return (target, fault.settings, remaining, fault.burstRemaining)
            }
        }.sorted { $0.target.description < $1.target.description }
    }

    /// Decides the fate of one request made by `client` about `integration` (either may be absent).
    /// Latencies add up over both targets; the first failure found wins (client before integration).
    func decide(client: String?, integration: String?) -> FaultDecision {
        var targets: [FaultTarget] = []
        if let client { targets.append(.client(client)) }
        if let integration { targets.append(.integration(integration)) }
        guard !targets.isEmpty else { return FaultDecision() }
        let now = clock.now()
        return active.withLockedValue { active in
            var decision = FaultDecision()
            for target in targets {
                guard var fault = active[target] else { continue }
                decision.delayMilliseconds += Self.latency(of: fault.settings)
                if case .proceed = decision.outcome {
                    let (outcome, answer) = Self.outcome(of: &fault, now: now, delay: &decision.delayMilliseconds)
                    decision.outcome = outcome
                    if let answer { decision.injected.append(InjectedMark(target: target, answer: answer)) }
                }
                active[target] = fault
            }
            return decision
        }
    }

    /// The failure for an inbound message of `customer` on `integration`, when that customer is one of the
    /// integration's `failingCustomers`.
    /// - Returns: the failure and its mark, for the caller to count when it answers with it.
    func failure(forCustomer customer: String, integration: String) -> (error: GenesysError, mark: InjectedMark)? {
        active.withLockedValue { active in
            let target = FaultTarget.integration(integration)
            guard let settings = active[target]?.settings, settings.failingCustomers.contains(customer) else {
                return nil
            }
            let status = settings.failureStatuses.first ?? 503
            return (.injected(status: status), InjectedMark(target: target, answer: .failingCustomer(status: status)))
        }
    }

    private static func latency(of settings: FaultSettings) -> Int {
        settings.latencyMs + (settings.jitterMs > 0 ? Int.random(in: 0...settings.jitterMs) : 0)
    }

    private static func chance(_ rate: Double) -> Bool {
        rate >= 1 || (rate > 0 && Double.random(in: 0..<1) < rate)
    }

    /// The outcome of one target's faults for a request, and the injected answer it is (nil: none).
    private static func outcome(
        of fault: inout ActiveFault, now: Date, delay: inout Int
    ) -> (FaultDecision.Outcome, InjectedAnswer?) {
        let settings = fault.settings
        if chance(settings.resetRate) { return (.resetConnection, .reset) }
        if let until = fault.outageUntil, until > now {
            var error = GenesysError.injected(status: 503)
            error.headers[.retryAfter] = String(max(1, Int(until.timeIntervalSince(now).rounded(.up))))
            return (.fail(error), .outage)
        }
        if fault.burstRemaining > 0 {
            fault.burstRemaining -= 1
            return (.fail(.tooManyRequests(retryAfter: settings.burst429RetryAfterSeconds)), .throttled)
        }
        if chance(settings.failureRate), let status = settings.failureStatuses.randomElement() {
            return (.fail(.injected(status: status)), .failure(status: status))
        }
        if settings.slowResponseMs > 0, chance(settings.slowResponseRate) {
            delay += settings.slowResponseMs
            return (.proceed, .slowResponse)
        }
        return (.proceed, nil)
    }
}
