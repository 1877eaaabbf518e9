import Foundation
import GenesysSandbox
import Synchronization

/// What a soak published and what the sandbox received of it, kept small however long the run: per org a bitmap of
/// the message numbers that arrived (so a duplicate and a loss are both known) and each message's publish time, and
/// of the sandbox's own record only the newest few thousand per org (``poll()`` reads what is new by sequence).
final class SoakLedger: Sendable {
    private struct State {
        /// Per org, by message number: when it was handed to the publisher (seconds since 1970), NaN before.
        var publishedAt: [[Double]]
        var published = 0
        /// Per org: bit `n` set once message `n` arrived.
        var seen: [[UInt64]]
        /// Per org: the sandbox sequence number of the last record read.
        var lastSequence: [Int]
        var delivered = 0
        var duplicates = 0
        /// Arrivals whose id is none of the load's.
        var unexpected = 0
        /// Since the last ``takeMinute()``.
        var minuteDelivered = 0
        var minuteLatencies: [Double] = []
        var minuteMaxBacklog = 0
        var maxBacklog = 0
        var maxLatency = 0.0
        var publishFailure: String?
    }

    private let state: Mutex<State>
    private let orgs: [BenchOrg]
    /// Per org: `<runID>-<tenant>-`, the prefix of its load messages' ids.
    private let prefixes: [String]
    /// `<runID>w-`: the warm-up messages' ids (``BenchRig/warmUp()``), expected and not counted.
    private let warmUpPrefix: String
    private let control: SandboxControl

    init(rig: BenchRig) {
        orgs = rig.load.orgs
        prefixes = rig.load.orgs.map { "\(rig.runID)-\($0.tenant)-" }
        warmUpPrefix = "\(rig.runID)w-"
        control = rig.sandbox.control
        let perOrg = rig.load.rate * rig.load.seconds
        state = Mutex(State(
            publishedAt: Array(repeating: Array(repeating: .nan, count: perOrg), count: orgs.count),
            seen: Array(repeating: Array(repeating: 0, count: perOrg / 64 + 1), count: orgs.count),
            lastSequence: Array(repeating: 0, count: orgs.count)))
    }

    /// Called with each message just before its publish.
    func publishing(_ item: LoadItem) {
        let now = Date().timeIntervalSince1970
        state.withLock { state in
            state.publishedAt[item.org.index][item.number] = now
            state.published += 1
        }
    }

    func publishFailed(_ error: any Error) {
        state.withLock { $0.publishFailure = "\(error)" }
    }

    var publishFailure: String? { state.withLock { $0.publishFailure } }
    var published: Int { state.withLock { $0.published } }
    var delivered: Int { state.withLock { $0.delivered } }
    var duplicates: Int { state.withLock { $0.duplicates } }
    var unexpected: Int { state.withLock { $0.unexpected } }
    /// Published and not (yet) arrived: waiting in the org queues or in the gateway.
    var backlog: Int { state.withLock { $0.published - $0.delivered } }
    var maxBacklog: Int { state.withLock { $0.maxBacklog } }
    var maxLatencyMs: Double { state.withLock { $0.maxLatency } }

    /// Reads what the sandbox received since the last poll, org by org.
    func poll() {
        for (index, org) in orgs.enumerated() {
            let records = control.received(integrationId: org.integrationID)
            let last = state.withLock { $0.lastSequence[index] }
            var first = records.endIndex
            while first > records.startIndex, records[first - 1].sequence > last { first -= 1 }
            guard first < records.endIndex else { continue }
            let fresh = records[first...]
            state.withLock { state in
                for record in fresh where !(record.channelMessageId?.hasPrefix(warmUpPrefix) ?? false) {
                    Self.count(record, org: index, prefix: prefixes[index], in: &state)
                }
                state.lastSequence[index] = fresh.last!.sequence
            }
        }
        state.withLock { state in
            let backlog = state.published - state.delivered
            state.minuteMaxBacklog = max(state.minuteMaxBacklog, backlog)
            state.maxBacklog = max(state.maxBacklog, backlog)
        }
    }

    private static func count(_ record: ReceivedMessage, org: Int, prefix: String, in state: inout State) {
        guard let id = record.channelMessageId, id.hasPrefix(prefix), let number = Int(id.dropFirst(prefix.count)),
            number >= 0, number < state.publishedAt[org].count
        else {
            state.unexpected += 1
            return
        }
        let (word, bit) = (number / 64, UInt64(1) << UInt64(number % 64))
        guard state.seen[org][word] & bit == 0 else {
            state.duplicates += 1
            return
        }
        state.seen[org][word] |= bit
        state.delivered += 1
        state.minuteDelivered += 1
        let sent = state.publishedAt[org][number]
        if !sent.isNaN {
            let latency = (record.receivedAt.timeIntervalSince1970 - sent) * 1000
            state.minuteLatencies.append(latency)
            state.maxLatency = max(state.maxLatency, latency)
        }
    }

    /// Arrivals since the last call, the 99th percentile of their publish → arrival time (ms), and the largest
    /// backlog a poll saw meanwhile; starts the next minute.
    func takeMinute() -> (delivered: Int, p99LatencyMs: Double?, maxBacklog: Int) {
        state.withLock { state in
            let latencies = state.minuteLatencies.sorted()
            let p99 = latencies.isEmpty ? nil : latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))]
            defer {
                state.minuteDelivered = 0
                state.minuteLatencies.removeAll(keepingCapacity: true)
                state.minuteMaxBacklog = state.published - state.delivered
            }
            return (state.minuteDelivered, p99, state.minuteMaxBacklog)
        }
    }
}
