package import GatewayCore
import Synchronization

/// Where this replica's rebalancing stands, for its heartbeat (``ReplicaRecord``): how many replicas the
/// placement it last applied counted, and which orgs it is handing over now. Written by ``OrgRebalancer``,
/// read by ``ReplicaDirectory``; `/admin/replicas` shows it, and a cluster has settled when every replica
/// applied a placement of all of them and hands nothing over.
public final class RebalanceStatus: Sendable {
    private let state = Mutex<(placedAmong: Int?, releasing: Set<OrgKey>)>((nil, []))

    public init() {}

    package func applied(placementOf replicas: Int, releasing: Set<OrgKey>) {
        state.withLock { $0 = (replicas, releasing) }
    }

    package func released(_ org: OrgKey) {
        state.withLock { _ = $0.releasing.remove(org) }
    }

    /// The replica count of the placement last applied (nil before the first), and the orgs (`<tenant>/<org>`)
    /// being handed over, sorted.
    var snapshot: (placedAmong: Int?, releasing: [String]) {
        state.withLock { state in
            (state.placedAmong, state.releasing.map { "\($0.tenantID)/\($0.orgName)" }.sorted())
        }
    }
}
