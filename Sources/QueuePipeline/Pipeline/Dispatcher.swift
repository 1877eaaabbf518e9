import Broker
import Foundation
import GatewayCore
import GatewayDelivery
import Logging
import OrgServices
import PluginKit

/// Runs an org queue's deliveries concurrently across conversations, and in queue order within one.
///
/// Each customer conversation (org, conversation id or else sender id) is a lane: one message at a time, in
/// arrival order. How many of an org's messages are in the gateway at once is bounded by its queue's
/// prefetch, not here: an org's messages wait in its own queue in RabbitMQ, never in front of another's.
///
/// When a message goes to a retry tier its lane is deferred: every message of the conversation gets a
/// sequence number, and only the lowest one still out (the head) is sent when it comes back; the others
/// follow it back into the retry tier instead of overtaking it. Sequence numbers start from the wall clock,
/// so they keep growing across restarts; the deferral bookkeeping itself is in memory, so after a restart
/// a conversation's order holds only from then on. A deferral whose messages have not come back for twice its
/// tier and a minute is dropped: its head went elsewhere (the org moved to another replica, its tenant was
/// switched off) and would otherwise hold the conversation for ever; so is every deferral of an org this replica
/// lets go of.
///
/// When a message cannot be settled (the broker did not confirm its copy, or its connection is gone), the
/// rest of its lane is handed back to the broker behind it rather than sent ahead of it.
///
/// In shared mode an org's messages start only once ``OrgTakeover`` says no other replica is still sending
/// the org's earlier messages: asked once per org and connection, and again after this replica let go of it.
///
/// A lane's next message waits for its org's rate-limit slot here, before it starts: a small task takes the
/// slot and only then starts the message with it. A waiting message then holds the frames of that wait alone,
/// not those of everything that awaits the limiter inside the delivery (about 30 KB a message: the bulk of the
/// gateway's memory when many orgs' prefetch windows are full and waiting). The slot requests stay concurrent,
/// as the sends' were, so a shared limiter's round trips to Redis overlap. Messages the processor does not let
/// wait here (``DeliveryService/slotLimiter(for:tenantHint:redelivered:)``) start at once and take their
/// slot in the send.
actor Dispatcher {
    private let processor: MessageProcessor
    private let client: any MessageBroker
    /// Messages in the gateway by conversation lane. Bounded: by the messages the broker hands over (the org
    /// queues' prefetch, summed over the orgs); a lane goes when its last message does.
    private var lanes: [String: [Work]] = [:]
    /// Conversations with messages in retry tiers. Bounded: by the messages sent to a tier within its longest
    /// delay (5 min); an entry goes when its last deferred message comes back, its org is let go of, or its
    /// messages stay away past ``deferralLifetime(tier:)``.
    private var deferrals: [String: Deferral] = [:]
    private let backlog: OrgBacklogBoard
    private let prefetch: @Sendable (OrgKey) -> Int
    private let takeover: (any OrgTakeover)?
    private let jobs: MessageJobs
    /// Orgs whose messages may start, with the connection generation they were cleared for. Bounded: by the
    /// orgs this replica consumes.
    private var openOrgs: [OrgKey: Int] = [:]
    /// Orgs being cleared by ``takeover``, and the lanes waiting for it.
    private var opening: [OrgKey: Set<String>] = [:]
    private var inFlight = 0
    private var nextSequence = Int64(saturating: Date().timeIntervalSince1970 * 1000) * 1000

    private struct Work {
        var inbound: BrokerDelivery
        var message: QueuedMessage?
        var lane: String
        var org: OrgKey
        var sequence: Int64
        /// The tenant from an AMQP header, for a message whose body does not name it.
        var tenantHint: String?
    }

    /// The messages of one conversation waiting in retry tiers.
    private struct Deferral {
        var outstanding: Set<Int64>
        var tier: Duration
        /// When one of its messages last went into a tier or came back (the processor's clock).
        var lastHeard: Duration
    }

    /// How long a deferral waits for its messages to come back before it is dropped: twice its tier (a tier's
    /// TTL is when the broker dead-letters a message back, not a promise) and a minute.
    static func deferralLifetime(tier: Duration) -> Duration {
        tier * 2 + .seconds(60)
    }

    /// - Parameters:
    ///   - jobs: where each message's work runs (the consumer's task group).
    ///   - prefetch: an org's prefetch as configured now.
    init(
        processor: MessageProcessor, client: any MessageBroker, backlog: OrgBacklogBoard, jobs: MessageJobs,
        takeover: (any OrgTakeover)? = nil, prefetch: @escaping @Sendable (OrgKey) -> Int
    ) {
        self.jobs = jobs
        self.processor = processor
        self.client = client
        self.backlog = backlog
        self.takeover = takeover
        self.prefetch = prefetch
    }

    /// Takes a delivery from `org`'s queue; returns at once (the work runs in its own task).
    func submit(_ inbound: BrokerDelivery, org: OrgKey) {
        let message = try? QueuedMessage.decode(inbound.delivery.body).get()
        let state = QueueHeaders.RetryState(inbound.delivery.headers)
        let conversation = message?.conversationId ?? message?.sender?.id ?? message?.id ?? "tag-\(inbound.delivery.deliveryTag)"
        let sequence = state.sequence ?? {
            nextSequence += 1
            return nextSequence
        }()
        let work = Work(
            inbound: inbound, message: message, lane: "\(org)/\(conversation)", org: org, sequence: sequence, tenantHint: state.tenant)
        inFlight += 1
        backlog.taken(org)
        if var queue = lanes[work.lane] {
            queue.append(work)
            lanes[work.lane] = queue
        } else {
            lanes[work.lane] = [work]
            startNext(in: work.lane)
        }
    }

    /// Settles a message the router could not give to an org (it names none configured, or a disabled tenant):
    /// dead-lettered or parked, counted as in flight like every other message.
    func settleHere(_ inbound: BrokerDelivery, message: QueuedMessage?) {
        inFlight += 1
        jobs.spawn {
            _ = await self.processor.process(inbound, message: message, sequence: 0)
            await self.settledHere()
        }
    }

    private func settledHere() {
        inFlight -= 1
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
        while var queue = lanes[lane], let work = queue.first {
            guard work.inbound.generation == client.generation else {
                queue.removeFirst()
                lanes[lane] = queue
                complete(work)  // its connection is gone: the broker redelivers it, in order with its lane
                continue
            }
            guard mayStart(work, in: lane) else { return }  // the lane stays, so later arrivals queue behind it
            queue.removeFirst()
            lanes[lane] = queue
            if let tier = mustFollowHead(work, in: lane) {
                jobs.spawn { await self.sendBehind(work, tier: tier) }
                continue
            }
            if let limiter = processor.delivery.slotLimiter(
                for: work.message, tenantHint: work.tenantHint, redelivered: work.inbound.delivery.redelivered)
            {
                waitForSlot(work, limiter: limiter)
            } else {
                start(work, slotTaken: false)
            }
            return
        }
        lanes[lane] = nil
    }

    private func start(_ work: Work, slotTaken: Bool) {
        jobs.spawn { [processor] in
            let result = await processor.process(work.inbound, message: work.message, sequence: work.sequence, slotTaken: slotTaken) {
                await self.mayHoldRetry(in: work.lane, org: work.org)
            }
            await self.finished(work, result: result)
        }
    }

    /// Takes the org's next slot for a lane's head, then starts it with the slot. A message whose connection
    /// went meanwhile is dropped (the broker hands it out again, and the rest of its lane with it).
    private func waitForSlot(_ work: Work, limiter: any RateLimiting) {
        jobs.spawn {
            // Cancelled only past the shutdown deadline; were it to throw, the send takes its own slot.
            let slotTaken = (try? await limiter.acquire()) != nil
            await self.slotCame(for: work, slotTaken: slotTaken)
        }
    }

    private func slotCame(for work: Work, slotTaken: Bool) {
        if work.inbound.generation == client.generation {
            start(work, slotTaken: slotTaken)
        } else {
            complete(work)
            startNext(in: work.lane)
        }
    }

    /// Whether a failed message may wait for its retry in the gateway, its conversation waiting behind it:
    /// while the conversation holds no more than half its org's prefetch slots, so the org's other
    /// conversations keep the rest. Otherwise it goes to a retry tier and frees them.
    private func mayHoldRetry(in lane: String, org: OrgKey) -> Bool {
        (lanes[lane]?.count ?? 0) < max(prefetch(org) / 2, 1)
    }

    /// The tier `work` must follow its conversation's head into, or nil when it may go now: no deferral, it is the
    /// head, or the deferral outlived ``deferralLifetime(tier:)`` (then dropped).
    private func mustFollowHead(_ work: Work, in lane: String) -> Duration? {
        guard var deferral = deferrals[lane] else { return nil }
        let now = processor.clock.now()
        guard now - deferral.lastHeard <= Self.deferralLifetime(tier: deferral.tier) else {
            deferrals[lane] = nil
            processor.logger.warning(
                "a conversation's earlier message did not come back from its retry tier; its later messages go on without it",
                metadata: ["tenant.id": "\(work.org.tenantID)", "org.name": "\(work.org.orgName)", "waited.for": "\(deferral.outstanding.count)"])
            return nil
        }
        if deferral.outstanding.contains(work.sequence) { deferral.lastHeard = now }
        guard work.sequence != deferral.outstanding.min() else {
            deferrals[lane] = deferral
            return nil
        }
        deferral.outstanding.insert(work.sequence)
        deferral.lastHeard = now
        deferrals[lane] = deferral
        return deferral.tier
    }

    private func finished(_ work: Work, result: MessageProcessor.Result) {
        switch result {
        case .deferred(let tier):
            var deferral = deferrals[work.lane] ?? Deferral(outstanding: [], tier: tier, lastHeard: processor.clock.now())
            deferral.outstanding.insert(work.sequence)
            deferral.tier = max(deferral.tier, tier)
            deferral.lastHeard = processor.clock.now()
            deferrals[work.lane] = deferral
        case .finished:
            release(work)
        case .abandoned:
            release(work)
            handBack(work)
        }
        complete(work)
        startNext(in: work.lane)
    }

    /// Whether `work`'s org is cleared to start here; if not, clearing it begins and the lane waits for it.
    private func mayStart(_ work: Work, in lane: String) -> Bool {
        guard let takeover, openOrgs[work.org] != work.inbound.generation else { return true }
        if opening[work.org] == nil {
            let (org, generation) = (work.org, work.inbound.generation)
            jobs.spawn {
                await takeover.waitUntilReleased(org)
                await self.opened(org, generation: generation)
            }
        }
        opening[work.org, default: []].insert(lane)
        return false
    }

    private func opened(_ org: OrgKey, generation: Int) {
        openOrgs[org] = generation
        for lane in opening.removeValue(forKey: org) ?? [] { startNext(in: lane) }
    }

    /// This replica let go of `org`'s queue: if it takes the org again, it asks ``OrgTakeover`` again first, and
    /// its conversations' deferrals go (their heads come back to the replica that consumes the org now).
    func forget(_ org: OrgKey) {
        openOrgs[org] = nil
        let prefix = "\(org)/"
        deferrals = deferrals.filter { !$0.key.hasPrefix(prefix) }
    }

    private func release(_ work: Work) {
        guard var deferral = deferrals[work.lane] else { return }
        deferral.outstanding.remove(work.sequence)
        deferrals[work.lane] = deferral.outstanding.isEmpty ? nil : deferral
    }

    /// Returns an unsettled message to its queue, and the rest of its lane behind it, in lane order: the
    /// broker redelivers returned messages in the order they came back, so none overtakes it.
    private func handBack(_ work: Work) {
        client.reject(work.inbound, requeue: true)
        let behind = lanes[work.lane] ?? []
        lanes[work.lane] = []
        for later in behind {
            client.reject(later.inbound, requeue: true)
            complete(later)
        }
    }

    private func sendBehind(_ work: Work, tier: Duration) async {
        switch await processor.deferBehind(work.inbound, message: work.message, tier: tier, sequence: work.sequence) {
        case .deferred:
            break
        case .settled:
            release(work)
        case .notConfirmed:
            release(work)
            client.reject(work.inbound, requeue: true)
        }
        complete(work)
    }

    private func complete(_ work: Work) {
        inFlight -= 1
        backlog.settled(work.org)
    }
}
