import Broker
import GatewayConfig
import GatewayCore
import Logging
import OrgServices
import Synchronization

/// Which org queues the gateway consumes, and with what prefetch.
///
/// Every configured org's queue is consumed by a consumer of its own, with a prefetch sized to the org's rate:
/// enough messages in hand to keep sending at that rate while Genesys answers (`rate × window`), never more
/// than `perOrgInFlight`, never fewer than two. So a slow, throttled or failing org holds only its own few
/// slots, and when the gateway itself is the bottleneck the broker's round robin over the consumers shares
/// it in proportion to the orgs' rates.
///
/// A removed org's queue stays consumed until it is empty — its messages are parked, never dropped — and is
/// then let go.
///
/// In shared mode only the orgs ``ConsumerSharing`` places on this replica are consumed (as owner or standby);
/// letting go of one this replica consumes is ``OrgRebalancer``'s work, through ``suspend(_:)``/``resume(_:)``.
final class OrgQueueSubscriptions: Sendable {
    private let client: any MessageBroker
    private let registry: TenantRegistry
    private let topology: QueueTopology
    private let perOrgInFlight: Int
    private let window: Duration
    private let clock: any MonotonicClock
    private let logger: Logger
    /// When each consumed queue's org was first seen gone from the config.
    private let removedSince = Mutex<[String: Duration]>([:])
    /// Orgs ``reconcile()`` decided on — their queue subscribed here as configured, or (shared mode) placed on
    /// other replicas — so the router's ``ensure(_:)`` costs one set lookup per message.
    private let settled = Mutex<Set<OrgKey>>([])
    private let sharing: ConsumerSharing?
    /// Orgs this replica is letting go of: not subscribed again until ``resume(_:)``.
    private let releasing = Mutex<Set<OrgKey>>([])

    /// How long a removed org's empty queue is still consumed, for copies the router made just before the
    /// reload took effect.
    static let removalGrace = Duration.seconds(5)

    init(
        client: any MessageBroker, registry: TenantRegistry, topology: QueueTopology, perOrgInFlight: Int, window: Duration,
        clock: any MonotonicClock, sharing: ConsumerSharing? = nil, logger: Logger
    ) {
        self.sharing = sharing
        self.client = client
        self.registry = registry
        self.topology = topology
        self.perOrgInFlight = perOrgInFlight
        self.window = window
        self.clock = clock
        self.logger = logger
    }

    /// The prefetch for an org sending `rate` messages per second.
    static func prefetch(rate: Double, window: Duration, cap: Int) -> UInt16 {
        let wanted = (rate * window.seconds).rounded(.up)
        let ceiling = Double(min(max(cap, 2), Int(UInt16.max)))
        return UInt16(wanted.isFinite ? min(max(wanted, 2), ceiling) : 2)
    }

    /// Consumes `org`'s queue (if it is configured); cheap when it already is.
    func ensure(_ org: OrgKey) {
        guard !settled.withLock({ $0.contains(org) }), let runtime = registry.tenant(org.tenantID)?.orgs[org.orgName] else { return }
        if isWanted(org) { client.subscribe(subscription(for: runtime)) }
        settled.withLock { _ = $0.insert(org) }
    }

    /// Consumes every configured org's queue (with its prefetch as configured now), and lets go of removed
    /// orgs' queues once they are empty.
    func reconcile() {
        var configured: Set<String> = []
        var orgs: Set<OrgKey> = []
        for tenant in registry.all {
            for org in tenant.orgs.values {
                configured.insert(topology.orgQueue(for: org.key))
                orgs.insert(org.key)
                if isWanted(org.key) { client.subscribe(subscription(for: org)) }
            }
        }
        settled.withLock { $0 = orgs }
        let now = clock.now()
        let depths = client.queueDepths
        let consumed = client.subscribedQueues
        var newlyRemoved: [String] = []
        let finished = removedSince.withLock { removed -> [String] in
            removed = removed.filter { consumed.contains($0.key) && !configured.contains($0.key) }
            for queue in consumed where !configured.contains(queue) && removed[queue] == nil {
                removed[queue] = now
                newlyRemoved.append(queue)
            }
            let done = removed.filter { now - $0.value >= Self.removalGrace && depths[$0.key] == 0 }.map(\.key)
            done.forEach { removed[$0] = nil }
            return done
        }
        for queue in newlyRemoved {
            if let unbound = unboundSubscription(ofRemoved: queue) { client.subscribe(unbound) }
        }
        for queue in finished {
            logger.info("a removed org's queue is empty; no longer consuming it", metadata: ["queue": "\(queue)"])
            client.unsubscribe(queue: queue)
        }
    }

    /// Configured orgs whose queue this replica consumes now.
    func consumedOrgs() -> [OrgKey] {
        let consumed = client.subscribedQueues
        return registry.all.flatMap { $0.orgs.values.map(\.key) }.filter { consumed.contains(topology.orgQueue(for: $0)) }
    }

    /// Stops consuming `org`'s queue until ``resume(_:)`` (what was taken stays valid: it is settled as usual).
    func suspend(_ org: OrgKey) {
        releasing.withLock { _ = $0.insert(org) }
        client.unsubscribe(queue: topology.orgQueue(for: org))
    }

    /// `org`'s messages this replica holds (handed out by the broker, not yet settled), and whether more may come.
    func held(_ org: OrgKey) -> HeldDeliveries {
        client.deliveriesHeld(from: topology.orgQueue(for: org))
    }

    /// Lets the next ``reconcile()`` consume `org`'s queue again if it is still placed here.
    func resume(_ org: OrgKey) {
        releasing.withLock { _ = $0.remove(org) }
    }

    private func isWanted(_ org: OrgKey) -> Bool {
        !releasing.withLock { $0.contains(org) } && (sharing?.subscribes(to: org) ?? true)
    }

    /// The prefetch `org`'s queue is consumed with as configured now (the smallest one for an org that is gone).
    func prefetch(of org: OrgKey) -> Int {
        guard let runtime = registry.tenant(org.tenantID)?.orgs[org.orgName] else { return 2 }
        return Int(Self.prefetch(rate: runtime.config.rateLimit.messagesPerSecond, window: window, cap: perOrgInFlight))
    }

    /// `org`'s queue as consumed: its prefetch, and its bindings to the org exchange so that publishers who name the
    /// org reach its queue directly.
    private func subscription(for org: OrgRuntime) -> AMQPSubscription {
        let isDefault = registry.tenant(org.key.tenantID)?.config.defaultOrg?.name == org.key.orgName
        return AMQPSubscription(
            queue: topology.orgQueueDeclaration(for: org.key),
            prefetch: Self.prefetch(rate: org.config.rateLimit.messagesPerSecond, window: window, cap: perOrgInFlight),
            bindings: topology.directBindings(for: org.key, isDefault: isDefault))
    }

    /// A removed org's queue, consumed until it is empty but bound no more: what publishers send for the org from
    /// now on goes to the router, which no longer knows it and settles it.
    private func unboundSubscription(ofRemoved queue: String) -> AMQPSubscription? {
        guard let org = topology.org(ofQueue: queue) else { return nil }
        return AMQPSubscription(queue: topology.orgQueueDeclaration(for: org), prefetch: 2)
    }
}
