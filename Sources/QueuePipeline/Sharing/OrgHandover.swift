public import GatewayCore
public import Logging
import GatewayDelivery
import OrgServices
public import RedisClient

/// Keeps each conversation's order when an org queue's active consumer moves on purpose from one replica to
/// another (a replica hands an org back to its owner).
///
/// Cancelling its consumer makes the broker hand the org's next messages to the next replica at once, while
/// the releasing replica may still be sending messages it took earlier (a message can wait for its circuit
/// or its retry for minutes). So the releasing replica first writes `ggw:org-release:<tenant>/<org>` (its id,
/// with a lease), and deletes it when it holds none of the org's messages any more; the replica that takes
/// the org waits for the key to go before it starts the org's messages. A replica that dies does not need
/// this: the broker requeues what it held when its connection drops, ahead of everything else.
///
/// Best effort: with Redis unreachable no release starts, and a replica taking an org waits at most
/// ``unreachableGrace`` for Redis to answer.
///
/// The mark's lease is short and the releasing replica renews it while it releases (``renewInterval``): a replica
/// that dies mid-release (the broker then requeues what it held) or stops past its shutdown deadline holds the org
/// back for one lease, not for the longest hold of a message (5.5 min, which it used to be).
public final class OrgHandover: OrgHandingOver {
    private let client: RedisClient
    private let replicaID: String
    private let clock: any MonotonicClock
    private let logger: Logger

    static let keyPrefix = "ggw:org-release:"
    /// How long a release mark lives unless renewed: how long a replica that died mid-release holds the org back.
    let lease: Duration
    /// How often a releasing replica renews its mark: a few times per lease, so one slow round trip is no death.
    static let renewInterval = Duration.seconds(2)
    /// The longest a replica taking an org waits for a release, whatever the mark says: past the longest hold of a
    /// message in the gateway, after which the releasing replica's messages went back to the queue anyway.
    static let longestWait = DeliveryService.maximumHold + .seconds(30)
    /// How often a replica taking an org looks whether the release is done.
    static let pollInterval = Duration.milliseconds(100)
    /// How long a replica taking an org keeps asking an unreachable Redis whether the org is being released:
    /// past a blip (a release takes about a second), short enough that an outage holds an org back only briefly.
    static let unreachableGrace = Duration.seconds(5)

    /// - Parameter lease: how long a mark lives unless renewed (tests shorten it).
    public init(client: RedisClient, replicaID: String, clock: any MonotonicClock, lease: Duration = .seconds(10), logger: Logger) {
        self.lease = lease
        self.client = client
        self.replicaID = replicaID
        self.clock = clock
        self.logger = logger
    }

    public func beginRelease(_ org: OrgKey) async -> ReleaseStart {
        let lease = String(Int64(clamping: lease.millisecondsRoundedUp))
        guard
            let reply = try? await client.evalSHA(Self.markUnlessAnothersScript, keys: [Self.key(org)], arguments: [replicaID, lease]),
            reply.errorMessage == nil, let marked = reply.integer
        else { return .unavailable }
        return marked == 1 ? .begun : .anotherReplicaReleasing
    }

    public func finishRelease(_ org: OrgKey) async {
        _ = try? await client.evalSHA(CompareAndDeleteScript.script, keys: [Self.key(org)], arguments: [replicaID])
    }

    /// Returns once no other replica is releasing `org`. While Redis cannot be asked it keeps asking for
    /// ``unreachableGrace`` (a blip must not let the org's messages overtake those the releasing replica still
    /// sends), then goes on without the answer.
    public func waitUntilReleased(_ org: OrgKey) async {
        let started = clock.now()
        var logged = false
        var unreachableSince: Duration?
        while clock.now() - started < Self.longestWait {
            do {
                guard let holder = try await client.send("GET", Self.key(org)).string, holder != replicaID else { return }
                unreachableSince = nil
                if !logged {
                    logger.info(
                        "taking over an org: waiting for the replica releasing it to finish its messages",
                        metadata: ["tenant.id": "\(org.tenantID)", "org.name": "\(org.orgName)", "releasing.replica": "\(holder)"])
                    logged = true
                }
            } catch {
                let since = unreachableSince ?? clock.now()
                unreachableSince = since
                if clock.now() - since >= Self.unreachableGrace {
                    logger.warning(
                        "taking over an org without knowing whether another replica still releases it: Redis unreachable",
                        metadata: ["tenant.id": "\(org.tenantID)", "org.name": "\(org.orgName)", "redis.error": "\(error)"])
                    return
                }
            }
            do {
                try await clock.sleep(for: Self.pollInterval)
            } catch {
                return
            }
        }
    }

    /// KEYS[1] = the release mark; ARGV[1] = this replica's id; ARGV[2] = the lease in ms. Sets the mark (or
    /// renews this replica's own) and returns 1, or returns 0 when another replica's mark stands: two replicas
    /// that both believe they hold an org must not both mark it, or the second's `finishRelease` would clear the
    /// first's mark while the first still sends the org's messages.
    static let markUnlessAnothersSource = """
        local holder = redis.call('GET', KEYS[1])
        if holder == false or holder == ARGV[1] then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
          return 1
        end
        return 0
        """
    static let markUnlessAnothersScript = RedisScript(
        source: markUnlessAnothersSource, sha1: RedisScript.sha1Hex(of: markUnlessAnothersSource))

    static func key(_ org: OrgKey) -> String { "\(keyPrefix)\(org.tenantID)/\(org.orgName)" }
}
