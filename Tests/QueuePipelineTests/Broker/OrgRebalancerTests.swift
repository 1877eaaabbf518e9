import BrokerTesting
import GatewayTestSupport
import Synchronization
import Testing
@testable import Broker
@testable import GatewayCore
@testable import OrgServices
@testable import QueuePipeline

/// The rebalancer on the in-memory broker, with the handover's mark in memory: a replica consuming an org placed
/// on another lets go of it — mark, cancel the consumer, finish the org's messages it holds, clear the mark — and
/// then consumes it again as the standby.
@Suite(.timeLimit(.minutes(2))) struct OrgRebalancerTests {
    /// The handover's mark, in memory: what was asked, in order.
    final class RecordedHandover: OrgHandingOver {
        enum Step: Equatable { case began(OrgKey), refused(OrgKey), finished(OrgKey) }
        private let recorded = Mutex<[Step]>([])
        var steps: [Step] { recorded.withLock { $0 } }

        /// What the next asks to begin a release answer, first to last; `.begun` once they are used up.
        private let answers: Mutex<[ReleaseStart]>

        init(answers: [ReleaseStart] = []) { self.answers = Mutex(answers) }

        func beginRelease(_ org: OrgKey) async -> ReleaseStart {
            let answer = answers.withLock { $0.isEmpty ? .begun : $0.removeFirst() }
            recorded.withLock { $0.append(answer == .begun ? .began(org) : .refused(org)) }
            return answer
        }

        func finishRelease(_ org: OrgKey) async { recorded.withLock { $0.append(.finished(org)) } }
        func waitUntilReleased(_ org: OrgKey) async {}
    }

    /// The standby's side of the org (two live replicas; this one ranks second for the org): its subscriptions,
    /// dispatcher and rebalancer on the fixture's broker, the handover's mark in `handover`.
    struct Standby {
        let subscriptions: OrgQueueSubscriptions
        let dispatcher: Dispatcher
        let rebalancer: OrgRebalancer
        let jobs: MessageJobs
        let owner: String
    }

    func withStandby(
        _ fixture: PipelineFixture, handover: RecordedHandover, _ body: (Standby) async throws -> Void
    ) async throws {
        let placement = OrgPlacement(replicas: ["replica-a", "replica-b"])
        let ranking = placement.ranking(of: PipelineFixture.org)
        let sharing = ConsumerSharing(replicaID: ranking[1], placement: { placement }, handover: handover, status: RebalanceStatus())
        let backlog = OrgBacklogBoard(client: fixture.broker)
        try await fixture.withJobs { jobs in
            let subscriptions = OrgQueueSubscriptions(
                client: fixture.broker, registry: fixture.registry, topology: fixture.broker.topology, perOrgInFlight: 16,
                window: .milliseconds(500), clock: fixture.clock, sharing: sharing, logger: fixture.logger)
            let dispatcher = Dispatcher(
                processor: fixture.processor(), client: fixture.broker, backlog: backlog, jobs: jobs, takeover: handover,
                prefetch: { _ in 16 })
            let rebalancer = OrgRebalancer(
                sharing: sharing, subscriptions: subscriptions, dispatcher: dispatcher, backlog: backlog, jobs: jobs,
                clock: fixture.clock, logger: fixture.logger)
            subscriptions.reconcile()
            try await body(Standby(subscriptions: subscriptions, dispatcher: dispatcher, rebalancer: rebalancer, jobs: jobs, owner: ranking[0]))
            fixture.broker.stop()
        }
    }

    /// The standby took a message as the active consumer (still in Genesys, until `gate` opens), then began handing
    /// the org to its owner: `body` runs with the release waiting for that message.
    func releasingWithAMessageHeld(
        handover: RecordedHandover, _ body: (Standby, PipelineFixture, Gate) async throws -> Void
    ) async throws {
        let gate = Gate()
        let fixture = try PipelineFixture { text in
            if text == "held" { await gate.wait() }
            return 200
        }
        let org = PipelineFixture.org
        try await withStandby(fixture, handover: handover) { standby in
            #expect(fixture.broker.subscribedQueues == [fixture.orgQueue], "the standby consumes the org queue too")
            // The consumer's part: what the broker hands over goes to the dispatcher.
            standby.jobs.spawn { [broker = fixture.broker, dispatcher = standby.dispatcher] in
                for await delivery in broker.deliveries { await dispatcher.submit(delivery, org: org) }
            }
            // A message this replica took as the active consumer, still in Genesys when the rebalance comes.
            fixture.broker.enqueue(PipelineFixture.message("m-1", customer: "A", text: "held"), messageID: "m-1", queue: fixture.orgQueue)
            #expect(await fixture.settle { fixture.sentTexts == ["held"] })
            standby.rebalancer.rebalance()
            #expect(await fixture.settle { handover.steps == [.began(org)] }, "not released to its owner \(standby.owner)")
            try await body(standby, fixture, gate)
        }
    }

    @Test func anOrgPlacedOnAnotherReplicaIsReleasedOnlyAfterItsMessagesHereAreDone() async throws {
        let org = PipelineFixture.org
        let handover = RecordedHandover()
        try await releasingWithAMessageHeld(handover: handover) { standby, fixture, gate in
            #expect(await fixture.settle { fixture.broker.subscribedQueues.isEmpty }, "the consumer was not cancelled")
            for _ in 0..<3 {
                await fixture.clock.waitForSleepers(1)
                fixture.clock.advance(by: OrgRebalancer.pollInterval)
            }
            await fixture.clock.waitForSleepers(1)
            #expect(handover.steps == [.began(org)], "released while a message of the org was still here")

            gate.open()
            #expect(await fixture.settle { fixture.acked(in: fixture.orgQueue) == ["m-1"] })
            fixture.clock.advance(by: OrgRebalancer.pollInterval)
            #expect(await fixture.settle { handover.steps == [.began(org), .finished(org)] })
            standby.subscriptions.reconcile()
            #expect(fixture.broker.subscribedQueues == [fixture.orgQueue], "not consumed again as the standby")
        }
    }

    @Test func aReleaseRefusedBecauseAnotherReplicaIsReleasingIsTriedAgainOnTheNextTick() async throws {
        let fixture = try PipelineFixture { _ in 200 }
        let org = PipelineFixture.org
        let handover = RecordedHandover(answers: [.anotherReplicaReleasing])
        try await withStandby(fixture, handover: handover) { standby in
            let rebalancer = standby.rebalancer
            rebalancer.rebalance()
            #expect(await fixture.settle { handover.steps == [.refused(org)] })
            #expect(fixture.broker.subscribedQueues == [fixture.orgQueue], "cancelled without holding the release mark")
            // No time passes: the next ticks ask again rather than waiting out the release interval.
            #expect(
                await fixture.settle {
                    rebalancer.rebalance()
                    return handover.steps.starts(with: [.refused(org), .began(org)])
                }, "not tried again before \(OrgRebalancer.releaseInterval)")
        }
    }

    /// Issue 30: a release under way renews its mark, and one cut short by shutdown (its task cancelled past the
    /// deadline, a message of the org still here) ends at once and leaves the mark to its lease: before, its wait
    /// spun without sleeping until the 5.5 min lease and the shutdown never finished.
    @Test func aReleaseRenewsItsMarkAndShutdownCutsItShortLeavingTheMarkToItsLease() async throws {
        let org = PipelineFixture.org
        let handover = RecordedHandover()
        try await releasingWithAMessageHeld(handover: handover) { _, fixture, gate in
            var waited = Duration.zero
            while waited < OrgHandover.renewInterval {
                await fixture.clock.waitForSleepers(1)
                fixture.clock.advance(by: OrgRebalancer.pollInterval)
                waited += OrgRebalancer.pollInterval
            }
            #expect(await fixture.settle { handover.steps == [.began(org), .began(org)] }, "the mark was not renewed")
            // The body returns with the message still in Genesys: its jobs are cancelled, as past a shutdown
            // deadline. The send ends a moment later.
            Task {
                try? await Task.sleep(for: .milliseconds(300))
                gate.open()
            }
        }
        #expect(!handover.steps.contains(.finished(org)), "the mark was cleared with a message of the org still unsettled")
    }
}

