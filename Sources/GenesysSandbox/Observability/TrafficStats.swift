//
// TrafficStats.swift — GenesysSandbox
// Counters per status code and request rates per client and org, for tests and benchmarks.
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
                orgs: state.orgs.mapValues { $0.rate(now: second) })
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
        ]
    }
}
