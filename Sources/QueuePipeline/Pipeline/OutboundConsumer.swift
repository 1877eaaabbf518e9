public import Broker
public import GatewayCore
public import GatewayDelivery
public import Logging
public import OrgServices
public import ServiceLifecycle

/// The service that consumes: the AMQP connection thread, the router that moves each message from
/// `genesys.outbound` into its org's queue, and the dispatcher that sends what the org queues hand over.
///
/// ```
/// genesys.outbound ──router──▶ genesys.org.<tenant>.<org> (one per org; prefetch ∝ rate) ──dispatcher──▶ Genesys
/// ```
///
/// On graceful shutdown (SIGTERM/SIGINT) it stops taking deliveries, lets what is in flight finish within
/// `shutdownTimeout`, then closes the connection — the broker requeues anything still unacked.
public struct OutboundConsumer: Service {
    private let client: any MessageBroker
    private let router: OrgQueueRouter
    private let subscriptions: OrgQueueSubscriptions
    private let processor: MessageProcessor
    private let dispatcher: Dispatcher
    private let rebalancer: OrgRebalancer?
    private let jobs: MessageJobs
    private let topology: QueueTopology
    private let clock: any MonotonicClock
    private let shutdownTimeout: Duration
    private let logger: Logger

    /// How often the org queues consumed are checked against the tenants in force (reloads, removed orgs) and,
    /// in shared mode, against the replicas they are placed on.
    static let reconcileInterval = Duration.seconds(1)

    /// - Parameters:
    ///   - perOrgInFlight: the most messages of one org in the gateway at once (its queue's prefetch cap).
    ///   - prefetchWindow: an org's prefetch is its rate times this (how long a Genesys answer may take at
    ///     full rate), within 2…`perOrgInFlight`.
    ///   - sharing: shared mode: the org queues placed on this replica, and handing orgs over between replicas.
    public init(
        client: any MessageBroker, delivery: DeliveryService, registry: TenantRegistry, status: any StatusSink, backlog: OrgBacklogBoard,
        clock: any MonotonicClock, perOrgInFlight: Int, prefetchWindow: Duration = .milliseconds(500),
        shutdownTimeout: Duration, sharing: ConsumerSharing? = nil, logger: Logger
    ) {
        let topology = client.topology
        let jobs = MessageJobs()
        self.jobs = jobs
        self.client = client
        self.topology = topology
        self.clock = clock
        self.shutdownTimeout = shutdownTimeout
        self.logger = logger
        let processor = MessageProcessor(
            client: client, delivery: delivery, registry: registry, status: status, topology: topology, clock: clock, logger: logger)
        let subscriptions = OrgQueueSubscriptions(
            client: client, registry: registry, topology: topology, perOrgInFlight: perOrgInFlight, window: prefetchWindow,
            clock: clock, sharing: sharing, logger: logger)
        self.processor = processor
        self.subscriptions = subscriptions
        router = OrgQueueRouter(
            client: client, registry: registry, topology: topology, subscriptions: subscriptions, jobs: jobs, clock: clock,
            logger: logger)
        let dispatcher = Dispatcher(
            processor: processor, client: client, backlog: backlog, jobs: jobs, takeover: sharing?.handover,
            prefetch: { subscriptions.prefetch(of: $0) })
        self.dispatcher = dispatcher
        rebalancer = sharing.map {
            OrgRebalancer(
                sharing: $0, subscriptions: subscriptions, dispatcher: dispatcher, backlog: backlog, jobs: jobs, clock: clock,
                logger: logger)
        }
    }

    /// Consumes until graceful shutdown, then lets the messages in the gateway finish within `shutdownTimeout`.
    /// Everything started for a message runs as a child of this call (``MessageJobs``): it returns only once all of
    /// it has ended, what was still running at the deadline cancelled and left unacked for the broker to hand out again.
    public func run() async throws {
        subscriptions.reconcile()
        await withDiscardingTaskGroup { group in
            group.addTask { await client.run() }
            group.addTask { await keepSubscriptionsInStep() }
            group.addTask { await jobs.run() }
            await consumeUntilShutdown()
            // The reconciler, and the messages still unfinished past the deadline.
            group.cancelAll()
            jobs.finish()
            client.stop()
        }
    }

    private func consumeUntilShutdown() async {
        for await inbound in client.deliveries.cancelOnGracefulShutdown() {
            if let org = topology.org(ofQueue: inbound.queue) {
                await dispatcher.submit(inbound, org: org)
                continue
            }
            switch router.route(inbound.delivery) {
            case .org(let org):
                router.forward(inbound, to: org)
            case .settleHere(let message):
                await dispatcher.settleHere(inbound, message: message)
            }
        }
        let pending = await dispatcher.pending
        logger.info("stopped consuming; finishing in-flight messages", metadata: ["in.flight": "\(pending)"])
        await dispatcher.waitUntilIdle(timeout: shutdownTimeout)
        let left = await dispatcher.pending
        if left > 0 {
            logger.warning("shutdown deadline passed; unfinished messages go back to the queue", metadata: ["in.flight": "\(left)"])
        }
    }

    private func keepSubscriptionsInStep() async {
        while true {
            do {
                try await clock.sleep(for: Self.reconcileInterval)
            } catch {
                return
            }
            subscriptions.reconcile()
            rebalancer?.rebalance()
        }
    }
}
