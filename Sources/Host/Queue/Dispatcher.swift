import Foundation
import PluginKit

/// Runs deliveries concurrently across conversations and orgs, and in queue order within a conversation.
///
/// Each customer conversation (tenant, org, conversation id or else sender id) is a lane: one message at a
/// time, in arrival order. Each org has an in-flight cap, so a slow org cannot take every slot.
///
/// When a message goes to a retry tier its lane is deferred: every message of the conversation gets a
/// sequence number, and only the lowest one still out (the head) is sent when it comes back; the others
/// follow it back into the retry tier instead of overtaking it. Sequence numbers start from the wall clock,
/// so they keep growing across restarts; the deferral bookkeeping itself is in memory, so after a restart
/// a conversation's order holds only from then on.
actor Dispatcher {
    private let processor: MessageProcessor
    private let perOrgLimit: Int
    private var lanes: [String: [Work]] = [:]
    private var deferrals: [String: Deferral] = [:]
    private var orgGates: [String: AsyncSemaphore] = [:]
    private var inFlight = 0
    private var nextSequence = Int64(Date().timeIntervalSince1970 * 1000) * 1000

    private struct Work {
        var inbound: AMQPClient.Inbound
        var message: QueuedMessage?
        var lane: String
        var org: String
        var sequence: Int64
    }

    /// The messages of one conversation waiting in retry tiers.
    private struct Deferral {
        var outstanding: Set<Int64>
        var tier: Duration
    }

    init(processor: MessageProcessor, perOrgLimit: Int) {
        self.processor = processor
        self.perOrgLimit = perOrgLimit
    }

    /// Takes a delivery; returns at once (the work runs in its own task).
    func submit(_ inbound: AMQPClient.Inbound) {
        let message = try? QueuedMessage.decode(inbound.delivery.body).get()
        let state = QueueHeaders.RetryState(inbound.delivery.headers)
        let tenant = message?.tenantId ?? state.tenant ?? "?"
        let org = "\(tenant)/\(message?.org ?? "")"
        let conversation = message?.conversationId ?? message?.sender?.id ?? message?.id ?? "tag-\(inbound.delivery.deliveryTag)"
        let sequence = state.sequence ?? {
            nextSequence += 1
            return nextSequence
        }()
        let work = Work(inbound: inbound, message: message, lane: "\(org)/\(conversation)", org: org, sequence: sequence)
        inFlight += 1
        if lanes[work.lane] != nil {
            lanes[work.lane]!.append(work)
        } else {
            lanes[work.lane] = [work]
            startNext(in: work.lane)
        }
    }

    /// Waits until nothing is in flight, or `timeout` passes (checked every 50 ms: shutdown is not a hot path).
    func waitUntilIdle(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while inFlight > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    var pending: Int { inFlight }

    /// Starts the lane's first message, after sending back to the retry tier any that must wait behind a head.
    private func startNext(in lane: String) {
        while var queue = lanes[lane], !queue.isEmpty {
            let work = queue.removeFirst()
            lanes[lane] = queue
            if var deferral = deferrals[lane], work.sequence != deferral.outstanding.min() {
                deferral.outstanding.insert(work.sequence)
                deferrals[lane] = deferral
                let tier = deferral.tier
                Task { await self.sendBehind(work, tier: tier) }
                continue
            }
            let gate = gate(for: work.org)
            Task {
                await gate.acquire()
                let result = await processor.process(work.inbound, message: work.message, sequence: work.sequence)
                await gate.release()
                self.finished(work, result: result)
            }
            return
        }
        lanes[lane] = nil
    }

    private func finished(_ work: Work, result: MessageProcessor.Result) {
        switch result {
        case .deferred(let tier):
            var deferral = deferrals[work.lane] ?? Deferral(outstanding: [], tier: tier)
            deferral.outstanding.insert(work.sequence)
            deferral.tier = max(deferral.tier, tier)
            deferrals[work.lane] = deferral
        case .finished, .abandoned:
            if var deferral = deferrals[work.lane] {
                deferral.outstanding.remove(work.sequence)
                deferrals[work.lane] = deferral.outstanding.isEmpty ? nil : deferral
            }
        }
        complete()
        startNext(in: work.lane)
    }

    private func sendBehind(_ work: Work, tier: Duration) async {
        if await !processor.deferBehind(work.inbound, tier: tier, sequence: work.sequence) {
            deferrals[work.lane]?.outstanding.remove(work.sequence)  // not acked: the broker redelivers it
        }
        complete()
    }

    private func complete() {
        inFlight -= 1
    }

    private func gate(for org: String) -> AsyncSemaphore {
        if let gate = orgGates[org] { return gate }
        let gate = AsyncSemaphore(limit: perOrgLimit)
        orgGates[org] = gate
        return gate
    }
}
