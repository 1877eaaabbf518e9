import Broker
import GatewayCore
import Logging
import OrgServices
import Synchronization

/// Lets go of the org queues this replica consumes but is not placed on, so each org ends up served by its
/// owner (``OrgPlacement``): a standby that became active (it subscribed before the owner did, or the owner
/// came back after a restart), or a replica whose place moved to others when a replica joined.
///
/// A release cancels the org's consumer — the broker makes the next subscriber active at once — after marking
/// it in Redis (``OrgHandover``), finishes the org's messages this replica holds (until the broker client holds
/// none and expects none: ``MessageBroker/deliveriesHeld(from:)``), then clears the mark, and subscribes again as
/// a standby if it still is one.
final class OrgRebalancer: Sendable {
    private let sharing: ConsumerSharing
    private let subscriptions: OrgQueueSubscriptions
    private let dispatcher: Dispatcher
    private let backlog: OrgBacklogBoard
    private let jobs: MessageJobs
    private let clock: any MonotonicClock
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        /// Messages taken per org at the last look: an org whose count moved since is active here.
        var lastTaken: [OrgKey: Int] = [:]
        var lastRelease: [OrgKey: Duration] = [:]
        /// Each org's owner when this replica last looked (or released it).
        var lastOwner: [OrgKey: String] = [:]
        var releasing: Set<OrgKey> = []
    }

    /// The least time between two releases of one org by this replica, so an org whose owner does not take it
    /// (its broker connection is down) comes back here and stays, rather than being released over and over.
    static let releaseInterval = Duration.seconds(30)
    static let pollInterval = Duration.milliseconds(100)

    init(
        sharing: ConsumerSharing, subscriptions: OrgQueueSubscriptions, dispatcher: Dispatcher, backlog: OrgBacklogBoard,
        jobs: MessageJobs, clock: any MonotonicClock, logger: Logger
    ) {
        self.jobs = jobs
        self.sharing = sharing
        self.subscriptions = subscriptions
        self.dispatcher = dispatcher
        self.backlog = backlog
        self.clock = clock
        self.logger = logger
    }

    /// Starts releasing every org this replica consumes and should not; called periodically. An org is
    /// released when this replica is not among its subscribers any more, when its owner changed (a replica
    /// joined or came back), or when this standby took messages (it is the active consumer, the owner is not).
    func rebalance() {
        guard let placement = sharing.placement() else { return }
        let taken = backlog.takenSoFar()
        let now = clock.now()
        let consumed = subscriptions.consumedOrgs()
        let due = state.withLock { state in
            defer {
                state.lastTaken = taken
                sharing.status.applied(placementOf: placement.replicas.count, releasing: state.releasing)
            }
            var due: [(OrgKey, owner: String)] = []
            for org in consumed where !state.releasing.contains(org) {
                let ranking = placement.ranking(of: org)
                guard let rank = ranking.firstIndex(of: sharing.replicaID), let owner = ranking.first else { continue }
                let ownerMoved = state.lastOwner[org] != owner
                let release = rank > 0 && (rank >= OrgPlacement.subscribers || ownerMoved || taken[org] != state.lastTaken[org])
                guard release else {
                    state.lastOwner[org] = owner
                    continue
                }
                if let last = state.lastRelease[org], now - last < Self.releaseInterval { continue }
                state.lastOwner[org] = owner
                state.lastRelease[org] = now
                state.releasing.insert(org)
                due.append((org, owner))
            }
            return due
        }
        for (org, owner) in due {
            jobs.spawn { await self.release(org, to: owner) }
        }
    }

    private func release(_ org: OrgKey, to owner: String) async {
        defer {
            state.withLock { _ = $0.releasing.remove(org) }
            sharing.status.released(org)
        }
        switch await sharing.handover.beginRelease(org) {
        case .begun:
            break
        case .anotherReplicaReleasing:
            // Look again on the next tick, not after `releaseInterval`: the other replica's release ends as
            // soon as its messages of the org are done, and this one may be the active consumer meanwhile.
            state.withLock { state in
                state.lastRelease[org] = nil
                state.lastOwner[org] = nil
            }
            logger.debug(
                "not releasing an org yet: another replica is releasing it",
                metadata: ["tenant.id": "\(org.tenantID)", "org.name": "\(org.orgName)"])
            return
        case .unavailable:
            return
        }
        subscriptions.suspend(org)
        await dispatcher.forget(org)
        let started = clock.now()
        var renewed = started
        // Done once the broker's last deliveries of the org to this replica are settled. Counted by the broker
        // client as it hands them out, so one still on its way to the dispatcher (on a loaded machine that can
        // take seconds) keeps the release open: the replica taking the org must not send the org's next
        // messages before it. The mark is renewed meanwhile: its short lease is how a dead replica's release ends.
        while !subscriptions.held(org).isNone, clock.now() - started < OrgHandover.longestWait {
            do {
                try await clock.sleep(for: Self.pollInterval)
            } catch {
                // Cancelled: the shutdown deadline passed with messages of the org still here. They go back to the
                // queue when the connection closes; the mark stays until its lease ends, so the taking replica
                // does not start before they are back. (The loop used to spin here until the lease, 5.5 min.)
                logger.warning(
                    "stopping mid-release: the org's messages still here go back to its queue; the taking replica waits for the mark's lease",
                    metadata: ["tenant.id": "\(org.tenantID)", "org.name": "\(org.orgName)"])
                return
            }
            if clock.now() - renewed >= OrgHandover.renewInterval {
                renewed = clock.now()
                _ = await sharing.handover.beginRelease(org)  // renews this replica's own mark
            }
        }
        await sharing.handover.finishRelease(org)
        subscriptions.resume(org)
        logger.info(
            "handed an org to the replica it is placed on",
            metadata: [
                "tenant.id": "\(org.tenantID)", "org.name": "\(org.orgName)", "owner.replica": "\(owner)",
                "release.ms": "\((clock.now() - started).millisecondsRoundedUp)",
            ])
    }
}
