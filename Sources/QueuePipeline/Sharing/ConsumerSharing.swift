import GatewayCore
public import OrgServices
/// Shared mode's say in what this replica consumes: which org queues (``OrgPlacement``) and how an org moves
/// between replicas without a conversation's messages overtaking one another (``OrgHandover``).
public struct ConsumerSharing: Sendable {
    public var replicaID: String
    /// The placement by the live replicas last seen; nil before the first heartbeat (every org is consumed then).
    public var placement: @Sendable () -> OrgPlacement?
    public var handover: any OrgHandingOver
    public var status: RebalanceStatus

    public init(
        replicaID: String, placement: @escaping @Sendable () -> OrgPlacement?, handover: any OrgHandingOver, status: RebalanceStatus
    ) {
        self.replicaID = replicaID
        self.placement = placement
        self.handover = handover
        self.status = status
    }

    /// Whether this replica should consume `org`'s queue now.
    func subscribes(to org: OrgKey) -> Bool {
        placement()?.subscribes(replicaID, to: org) ?? true
    }
}
