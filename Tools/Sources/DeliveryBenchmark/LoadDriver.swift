import GatewayCore
import GatewayDelivery
import Logging
import Synchronization

/// Sends every org's messages straight through `DeliveryService.deliver` — no queue — so each org's
/// limiter paces its own: one task per message, created org by org in turn (message 0 of every org,
/// then message 1, …) so no org starts ahead of the others. By default every task is created at the
/// start; with a lead, each message is handed over `lead` before its slot (a bounded backlog, as a
/// queue consumer with prefetch would keep).
///
/// Bounded: at `deadline` after the start every message still running is cancelled and reported as
/// timed out. Never retries: a retry outcome is reported as such.
struct LoadDriver: Sendable {
    let delivery: DeliveryService
    let clock: any MonotonicClock
    let probes: Bool
    let logger: Logger

    /// One prepared message.
    struct Message: Sendable {
        let org: Int
        let number: Int
        let id: String
        let bytes: [UInt8]
        /// When to hand it to `deliver`, after the start.
        let admitAfter: Duration
    }

    /// What a run produced.
    struct Run: Sendable {
        let results: [MessageResult]
        /// When the first task was created.
        let startedAt: Duration
        /// When the last message ended.
        let endedAt: Duration
        let hitDeadline: Bool
    }

    /// Ends the task group: the last message is done, or the deadline passed.
    private enum Stop: Error {
        case allDone, deadline
    }

    /// Results as the message tasks finish (a discarding group frees each task as soon as it ends, so
    /// finished messages hold no memory while later ones are still being admitted).
    private final class Collector: Sendable {
        private let results = Mutex<[MessageResult]>([])

        /// Adds `result`; returns how many there are now.
        func add(_ result: MessageResult) -> Int {
            results.withLock { results in
                results.append(result)
                return results.count
            }
        }

        var all: [MessageResult] { results.withLock { $0 } }
    }

    /// Delivers `messages` (in the interleaved order, `admitAfter` not decreasing) and waits until every
    /// one has ended or `deadline` has passed.
    func run(_ messages: [Message], deadline: Duration) async -> Run {
        let startedAt = clock.now()
        let collector = Collector()
        let total = messages.count
        var hitDeadline = false
        do {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { [clock] in
                    try await clock.sleep(until: startedAt + deadline)
                    throw Stop.deadline
                }
                for message in messages {
                    if message.admitAfter > .zero {
                        try? await clock.sleep(until: startedAt + message.admitAfter)
                    }
                    guard !group.isCancelled else { break }
                    group.addTask {
                        if collector.add(await deliver(message)) == total { throw Stop.allDone }
                    }
                }
            }
        } catch Stop.deadline {
            hitDeadline = true
            logger.warning("deadline reached, cancelled the messages still running",
                           metadata: ["not.delivered": "\(total - collector.all.filter(\.isDelivered).count)"])
        } catch {
            // Stop.allDone: every message ended.
        }
        let results = collector.all
        let endedAt = results.map(\.returnedAt).max() ?? startedAt
        return Run(results: results, startedAt: startedAt, endedAt: endedAt, hitDeadline: hitDeadline)
    }

    private func deliver(_ message: Message) async -> MessageResult {
        let probe = probes ? MessageProbe() : nil
        let request = DeliveryRequest(bytes: message.bytes)
        let calledAt = clock.now()
        let outcome = await MessageProbe.current.withValue(probe) {
            await delivery.deliver(request)
        }
        let returnedAt = clock.now()
        var result = MessageResult(
            org: message.org, number: message.number, id: message.id, outcome: outcome, calledAt: calledAt,
            returnedAt: returnedAt, marks: probe?.marks ?? MessageProbe.Marks(),
            admittedAtStart: message.admitAfter == .zero)
        if Task.isCancelled, !result.isDelivered { result.ending = .timedOut }
        return result
    }
}
