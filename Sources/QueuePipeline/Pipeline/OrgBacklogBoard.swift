public import Broker
public import GatewayCore
import Synchronization

/// How many of each org's messages are not yet settled, and where they are: waiting in the org's queue in
/// RabbitMQ, or taken into the gateway (prefetched, waiting for the org's limiter or circuit, or sending).
///
/// Read by `/metrics` and the admin API; written by the dispatcher as it takes and settles messages and by
/// the AMQP client as it reads queue depths.
public final class OrgBacklogBoard: Sendable {
    private let client: any MessageBroker
    private let topology: QueueTopology
    private let inGateway = Mutex<[OrgKey: Int]>([:])
    /// Orgs a message was taken for since ``consumedSinceLastAsked()`` last asked.
    private let takenSinceAsked = Mutex<Set<OrgKey>>([])
    /// Messages taken per org since the start.
    private let takenTotals = Mutex<[OrgKey: Int]>([:])

    public init(client: any MessageBroker) {
        self.client = client
        topology = client.topology
    }

    func taken(_ org: OrgKey) {
        inGateway.withLock { $0[org, default: 0] += 1 }
        takenSinceAsked.withLock { _ = $0.insert(org) }
        takenTotals.withLock { $0[org, default: 0] += 1 }
    }

    /// Messages taken per org since the start (growing; compare two readings to see which orgs consumed between).
    func takenSoFar() -> [OrgKey: Int] {
        takenTotals.withLock { $0 }
    }

    /// `org`'s messages in the gateway now.
    func inGateway(_ org: OrgKey) -> Int {
        inGateway.withLock { $0[org] ?? 0 }
    }

    /// The orgs whose messages this gateway took since the last call, or still holds. Each org queue has a
    /// single active consumer, so in shared mode these are the orgs this replica serves now (the heartbeat
    /// announces them).
    public func consumedSinceLastAsked() -> Set<OrgKey> {
        let taken = takenSinceAsked.withLock { taken in
            defer { taken = [] }
            return taken
        }
        return taken.union(inGateway.withLock { $0.keys })
    }

    func settled(_ org: OrgKey) {
        inGateway.withLock { counts in
            let left = (counts[org] ?? 1) - 1
            counts[org] = left > 0 ? left : nil
        }
    }

    /// Every consumed org's backlog now (waiting counts are as of the client's last depth reading).
    public func snapshot() -> [OrgKey: OrgBacklog] {
        var backlog: [OrgKey: OrgBacklog] = [:]
        for (queue, depth) in client.queueDepths {
            if let org = topology.org(ofQueue: queue) { backlog[org, default: OrgBacklog()].waiting = depth }
        }
        for (org, count) in inGateway.withLock({ $0 }) {
            backlog[org, default: OrgBacklog()].inGateway = count
        }
        return backlog
    }
}

/// One org's messages not yet settled.
public struct OrgBacklog: Sendable, Equatable {
    /// Ready in the org's queue in RabbitMQ.
    public var waiting = 0
    /// Taken into the gateway and not yet acked.
    public var inGateway = 0

    public init(waiting: Int = 0, inGateway: Int = 0) {
        self.waiting = waiting
        self.inGateway = inGateway
    }
}
