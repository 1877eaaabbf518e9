public import GatewayCore
public import Logging
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
/// Best effort: with Redis unreachable no release starts, and a replica taking an org does not wait.
public final class OrgHandover: OrgHandingOver {
    private let client: RedisClient
    private let replicaID: String
    private let clock: any MonotonicClock
    private let logger: Logger

    static let keyPrefix = "ggw:org-release:"
    /// How long a release marker outlives its replica: past the longest hold of a message in the gateway.
    static let lease = MessageProcessor.maximumHold + .seconds(30)
    /// How often a replica taking an org looks whether the release is done.
    static let pollInterval = Duration.milliseconds(100)

    public init(client: RedisClient, replicaID: String, clock: any MonotonicClock, logger: Logger) {
        self.client = client
        self.replicaID = replicaID
        self.clock = clock
        self.logger = logger
    }

    public func beginRelease(_ org: OrgKey) async -> Bool {
        do {
            let reply = try await client.send(
                "SET", Self.key(org), replicaID, "PX", Int64(clamping: Self.lease.millisecondsRoundedUp))
            return reply.errorMessage == nil
        } catch {
            return false
        }
    }

    public func finishRelease(_ org: OrgKey) async {
        _ = try? await client.evalSHA(CompareAndDeleteScript.script, keys: [Self.key(org)], arguments: [replicaID])
    }

    /// Returns once no other replica is releasing `org` (at once when Redis cannot be asked).
    public func waitUntilReleased(_ org: OrgKey) async {
        let started = clock.now()
        var logged = false
        while clock.now() - started < Self.lease {
            guard let holder = try? await client.send("GET", Self.key(org)).string, holder != replicaID else { return }
            if !logged {
                logger.info(
                    "taking over an org: waiting for the replica releasing it to finish its messages",
                    metadata: ["tenant.id": "\(org.tenantID)", "org.name": "\(org.orgName)", "releasing.replica": "\(holder)"])
                logged = true
            }
            do {
                try await clock.sleep(for: Self.pollInterval)
            } catch {
                return
            }
        }
    }

    static func key(_ org: OrgKey) -> String { "\(keyPrefix)\(org.tenantID)/\(org.orgName)" }
}
