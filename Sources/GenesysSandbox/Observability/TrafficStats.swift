//
// TrafficStats.swift — GenesysSandbox
// Counters per status code, request rates per client and org, and injected answers per fault target.
//

import Foundation
import NIOConcurrencyHelpers

/// A copy of the traffic counters at one moment.
public struct TrafficSnapshot: Sendable, Equatable {
    /// Per-source rate figures.
    public struct Rate: Sendable, Equatable {
        /// All requests counted for this source.
        public var total: Int
        /// The highest number of requests in any one clock second.
        public var peakPerSecond: Int
        /// Requests in the last 60 seconds.
        public var lastMinute: Int
    }

    /// Responses per HTTP status code (`"reset"` counts connections reset on purpose).
    public var statusCounts: [String: Int]
    /// Authenticated API requests per OAuth client.
    public var clients: [String: Rate]
    /// Authenticated API requests per org.
    public var orgs: [String: Rate]
    /// Answers given because of a fault or a token revocation, per target and kind (see ``InjectedAnswer``).
    public var injected: [FaultTarget: [InjectedAnswer: Int]] = [:]

    /// How many `answer`s hit `target` so far.
    public func injected(_ answer: InjectedAnswer, for target: FaultTarget) -> Int {
        injected[target]?[answer] ?? 0
    }
}

/// Counts responses by status and authenticated requests per client and per org.
final class TrafficStats: Sendable {
    private struct Series: Sendable {
        var total = 0
        var peak = 0
        /// Requests per whole epoch second, for the last few minutes.
        var buckets: [Int: Int] = [:]

        mutating func add(second: Int) {
            total += 1
            let count = (buckets[second] ?? 0) + 1
            buckets[second] = count
            peak = max(peak, count)
            if buckets.count > 300 { buckets = buckets.filter { $0.key > second - 300 } }
        }

        func rate(now second: Int) -> TrafficSnapshot.Rate {
            let lastMinute = buckets.reduce(0) { $0 + ($1.key > second - 60 ? $1.value : 0) }
            return TrafficSnapshot.Rate(total: total, peakPerSecond: peak, lastMinute: lastMinute)
        }
    }

    private struct State: Sendable {
        var statusCounts: [String: Int] = [:]
        var clients: [String: Series] = [:]
        var orgs: [String: Series] = [:]
        var injected: [FaultTarget: [InjectedAnswer: Int]] = [:]
    }

    private let state = NIOLockedValueBox(State())
    private let clock: any SandboxClock

    init(clock: any SandboxClock) {
        self.clock = clock
    }

    /// Counts one response.
    func recordStatus(_ status: String) {
        state.withLockedValue { $0.statusCounts[status, default: 0] += 1 }
    }

    /// Counts one answer given because of a fault or a revocation.
    func recordInjected(_ mark: InjectedMark) {
        state.withLockedValue { $0.injected[mark.target, default: [:]][mark.answer, default: 0] += 1 }
    }

    /// Counts one authenticated request.
    func recordRequest(clientId: String, orgId: String) {
        let second = Int(clock.now().timeIntervalSince1970)
        state.withLockedValue { state in
            state.clients[clientId, default: Series()].add(second: second)
            state.orgs[orgId, default: Series()].add(second: second)
        }
    }

    func snapshot() -> TrafficSnapshot {
        let second = Int(clock.now().timeIntervalSince1970)
        return state.withLockedValue { state in
            TrafficSnapshot(
                statusCounts: state.statusCounts,
                clients: state.clients.mapValues { $0.rate(now: second) },
                orgs: state.orgs.mapValues { $0.rate(now: second) },
                injected: state.injected)
        }
    }

    func reset() {
        state.withLockedValue { $0 = State() }
    }
}

extension TrafficSnapshot {
    var json: JSONValue {
        func rates(_ map: [String: Rate]) -> JSONValue {
            .object(map.mapValues {
                ["total": .int($0.total), "peakPerSecond": .int($0.peakPerSecond), "lastMinute": .int($0.lastMinute)]
            })
        }
        return [
            "statusCounts": .object(statusCounts.mapValues { .int($0) }),
            "clients": rates(clients),
            "orgs": rates(orgs),
            "injected": injectedJSON,
        ]
    }

    /// `{"client:ID": {"503-outage": n, ...}, "integration:ID": {...}}`.
    private var injectedJSON: JSONValue {
        var byTarget: [String: JSONValue] = [:]
        for (target, answers) in injected {
            var counts: [String: JSONValue] = [:]
            for (answer, count) in answers { counts[answer.description] = .int(count) }
            byTarget[target.description] = .object(counts)
        }
        return .object(byTarget)
    }
}
