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
    /// Marks `org` as being released by this replica; false (do not release now) when the mark could not be set.
    func beginRelease(_ org: OrgKey) async -> Bool
    /// Ends this replica's release of `org` (only its own mark goes).
    func finishRelease(_ org: OrgKey) async
}
