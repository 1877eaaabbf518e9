public import GatewayCore
/// What the dispatcher asks before it starts messages of an org it was not consuming: whether another replica
/// is still sending messages of that org it took earlier (shared mode's ``OrgHandover``). Without it (the
/// embedded single-process mode) an org's messages start at once.
public protocol OrgTakeover: Sendable {
    /// Returns once no other replica is releasing `org`.
    func waitUntilReleased(_ org: OrgKey) async
}
