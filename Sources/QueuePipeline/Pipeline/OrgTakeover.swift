public import GatewayCore
/// What the dispatcher asks before it starts messages of an org it was not consuming: whether another replica
/// is still sending messages of that org it took earlier (shared mode's ``OrgHandover``). Without it (the
/// embedded single-process mode) an org's messages start at once.
public protocol OrgTakeover: Sendable {
    /// Returns once no other replica is releasing `org`.
    func waitUntilReleased(_ org: OrgKey) async
}

/// How an org's queue moves on purpose from this replica to another without a conversation's messages overtaking one
/// another: the releasing replica marks the org, finishes the messages it holds, then clears the mark; the taking one
/// waits for the mark to go (``OrgTakeover``). ``OrgHandover`` keeps the mark in Redis.
public protocol OrgHandingOver: OrgTakeover {
    /// Marks `org` as being released by this replica, unless another replica's release mark stands.
    func beginRelease(_ org: OrgKey) async -> ReleaseStart
    /// Ends this replica's release of `org` (only its own mark goes).
    func finishRelease(_ org: OrgKey) async
}

/// What came of asking to release an org (``OrgHandingOver/beginRelease(_:)``).
public enum ReleaseStart: Sendable, Equatable {
    /// The org is marked as released by this replica: cancel its consumer, finish its messages, clear the mark.
    case begun
    /// Another replica's release of the org is under way; its mark must stay until it has finished the
    /// messages it holds (overwriting it would let the taking replica start while they are still being sent).
    case anotherReplicaReleasing
    /// The mark could not be written (Redis unreachable): do not release now.
    case unavailable
}
