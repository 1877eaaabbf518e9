import Foundation
import PluginKit

/// Runs deliveries concurrently across conversations and orgs, and in queue order within a conversation.
///
/// Each customer conversation (tenant, org, conversation id or else sender id) is a lane: one message at a
/// time, in arrival order. Each org has an in-flight cap, so a slow org cannot take every slot. When a
/// message goes to a retry tier, its lane is deferred: later messages of that conversation follow it into
/// the same tier instead of overtaking it, and the lane reopens when they have all come back.
actor Dispatcher {
    private let processor: MessageProcessor
    private let perOrgLimit: Int
    private var lanes: [String: [Work]] = [:]
    private var deferred: [String: (count: Int, tier: Duration)] = [:]
    private var orgGates: [String: AsyncSemaphore] = [:]
    private var inFlight = 0
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    private struct Work {
        var inbound: AMQPClient.Inbound
        var message: QueuedMessage?
        var lane: String
        var org: String
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
        let work = Work(inbound: inbound, message: message, lane: "\(org)/\(conversation)", org: org)
        inFlight += 1
        if state.deferred, var entry = deferred[work.lane] {
            entry.count -= 1
            deferred[work.lane] = entry.count > 0 ? entry : nil
        } else if let entry = deferred[work.lane] {
            // An earlier message of this conversation is waiting in a retry tier: queue behind it there.
            Task { await self.deferBehind(work, tier: entry.tier) }
            return
        }
        if lanes[work.lane] != nil {
            lanes[work.lane]!.append(work)
        } else {
            lanes[work.lane] = []
            start(work)
        }
    }

    /// Waits until nothing is in flight, or the deadline passes.
    func waitUntilIdle(timeout: Duration) async {
        guard inFlight > 0 else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await withCheckedContinuation { continuation in Task { await self.addIdleWaiter(continuation) } } }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    var pending: Int { inFlight }

    private func addIdleWaiter(_ continuation: CheckedContinuation<Void, Never>) {
        if inFlight == 0 { continuation.resume() } else { idleWaiters.append(continuation) }
    }

    private func start(_ work: Work) {
        let gate = gate(for: work.org)
        Task {
            await gate.acquire()
            let result = await processor.process(work.inbound, message: work.message)
            await gate.release()
            self.finished(work, result: result)
        }
    }

    private func finished(_ work: Work, result: MessageProcessor.Result) {
        if case .deferred(let tier) = result {
            let entry = deferred[work.lane]
            deferred[work.lane] = ((entry?.count ?? 0) + 1, max(entry?.tier ?? tier, tier))
        }
        complete()
        guard var queue = lanes[work.lane] else { return }
        if deferred[work.lane] != nil {
            // Everything still waiting in this lane now follows the deferred message.
            lanes[work.lane] = nil
            for waiting in queue { Task { await self.deferBehind(waiting, tier: self.deferred[work.lane]?.tier ?? .seconds(1)) } }
            return
        }
        if queue.isEmpty {
            lanes[work.lane] = nil
        } else {
            let next = queue.removeFirst()
            lanes[work.lane] = queue
            start(next)
        }
    }

    private func deferBehind(_ work: Work, tier: Duration) async {
        let result = await processor.deferBehind(work.inbound, tier: tier)
        if result {
            let entry = deferred[work.lane]
            deferred[work.lane] = ((entry?.count ?? 0) + 1, max(entry?.tier ?? tier, tier))
        }
        complete()
    }

    private func complete() {
        inFlight -= 1
        if inFlight == 0 {
            idleWaiters.forEach { $0.resume() }
            idleWaiters = []
        }
    }

    private func gate(for org: String) -> AsyncSemaphore {
        if let gate = orgGates[org] { return gate }
        let gate = AsyncSemaphore(limit: perOrgLimit)
        orgGates[org] = gate
        return gate
    }
}
