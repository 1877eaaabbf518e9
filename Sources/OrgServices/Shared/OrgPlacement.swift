public import GatewayCore
/// Which replicas consume an org's queue in shared mode, so the orgs spread over the replicas instead of all
/// going to whichever replica subscribed first (each org queue has a single active consumer).
///
/// Rendezvous hashing: every replica ranks the live replicas for an org by a hash of (org, replica), the same
/// on every replica without talking to each other. The first is the org's owner, the second its standby;
/// both subscribe, and the others do not. A replica joining or leaving moves only the orgs it wins or held.
public struct OrgPlacement: Sendable, Equatable {
    /// The live replicas' ids.
    public let replicas: [String]

    /// How many replicas subscribe to an org queue: the owner and one standby, which the broker makes active at
    /// once if the owner's connection goes (no wait for its heartbeat to expire).
    package static let subscribers = 2

    public init(replicas: some Sequence<String>) {
        self.replicas = Array(Set(replicas)).sorted()
    }

    /// The org's replicas, owner first.
    public func ranking(of org: OrgKey) -> [String] {
        let name = "\(org.tenantID)/\(org.orgName)"
        return replicas.map { ($0, Self.weight(org: name, replica: $0)) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            .map(\.0)
    }

    /// `replica`'s place for `org` (0 = owner), nil when it is not among the live replicas.
    public func rank(of replica: String, for org: OrgKey) -> Int? {
        ranking(of: org).firstIndex(of: replica)
    }

    /// Whether `replica` should consume `org`'s queue.
    public func subscribes(_ replica: String, to org: OrgKey) -> Bool {
        guard let rank = rank(of: replica, for: org) else { return true }  // not listed yet: consume, as before shared mode
        return rank < Self.subscribers
    }

    /// FNV-1a over "org|replica", then the SplitMix64 finalizer (FNV alone spreads similar names poorly). Not
    /// Swift's `Hasher`: that one is seeded per process, and every replica must compute the same weights.
    static func weight(org: String, replica: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(org)|\(replica)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        hash = (hash ^ (hash >> 30)) &* 0xbf58_476d_1ce4_e5b9
        hash = (hash ^ (hash >> 27)) &* 0x94d0_49bb_1331_11eb
        return hash ^ (hash >> 31)
    }
}
