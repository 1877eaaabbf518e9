import RedisTestSupport
import Foundation
import Logging
import RedisClient
import Synchronization
import Testing
import GatewayTestSupport
@testable import GatewayCore
@testable import OrgServices
@testable import QueuePipeline

/// The release marker that keeps a conversation's order while an org moves between replicas, on the real server.
@Suite(.timeLimit(.minutes(1))) struct OrgHandoverIntegrationTests {
    let logger = Logger(label: "org-handover-tests") { _ in SwiftLogNoOpLogHandler() }

    @Test func aReplicaTakingAnOrgWaitsUntilTheReleasingOneIsDone() async throws {
        let client = try GatewayTestRedis.client(logger: logger)
        let org = OrgKey(tenantID: "handover-\(UUID().uuidString.prefix(8))", orgName: "main")
        let releasing = OrgHandover(client: client, replicaID: "gw-old", clock: SystemClock(), logger: logger)
        let taking = OrgHandover(client: client, replicaID: "gw-new", clock: SystemClock(), logger: logger)
        #expect(await releasing.beginRelease(org) == .begun)
        // The releasing replica itself is never held back by its own marker.
        await releasing.waitUntilReleased(org)
        let done = Mutex(false)
        let waiter = Task {
            await taking.waitUntilReleased(org)
            return done.withLock { $0 }
        }
        try await Task.sleep(for: .milliseconds(300))
        // Another replica's finish does not delete the marker.
        await taking.finishRelease(org)
        #expect(try await client.send("GET", OrgHandover.key(org)).string == "gw-old")
        done.withLock { $0 = true }
        await releasing.finishRelease(org)
        #expect(await waiter.value, "the taking replica went on before the release was finished")
        #expect(try await client.send("GET", OrgHandover.key(org)).string == nil)
    }

    /// Issue 30: a replica that died mid-release left its mark for 5.5 min, and the org waited that long though the
    /// broker had requeued the dead replica's messages at once. The mark now lives one short lease unless its
    /// replica renews it, which a live releasing replica does.
    @Test func aReleaseNobodyRenewsEndsWithItsLeaseAndARenewedOneStands() async throws {
        let client = try GatewayTestRedis.client(logger: logger)
        let run = UUID().uuidString.prefix(8)
        let org = OrgKey(tenantID: "handover-\(run)", orgName: "main")
        let lease = Duration.milliseconds(1500)
        let releasing = OrgHandover(client: client, replicaID: "gw-old-\(run)", clock: SystemClock(), lease: lease, logger: logger)
        let taking = OrgHandover(client: client, replicaID: "gw-new-\(run)", clock: SystemClock(), lease: lease, logger: logger)
        #expect(await releasing.beginRelease(org) == .begun)
        let waiter = Task {
            let started = ContinuousClock.now
            await taking.waitUntilReleased(org)
            return ContinuousClock.now - started
        }
        // Alive: renewed within each lease, the mark stands past several leases.
        for _ in 0..<4 {
            try await Task.sleep(for: .milliseconds(700))
            #expect(await releasing.beginRelease(org) == .begun)
        }
        #expect(try await client.send("GET", OrgHandover.key(org)).string == "gw-old-\(run)")
        // Dead: nobody renews, and the taking replica goes on one lease later, not 5.5 min.
        let waited = await waiter.value
        #expect(waited >= .milliseconds(2800) && waited < .seconds(6), "waited \(waited)")
        #expect(try await client.send("GET", OrgHandover.key(org)).string == nil)
    }

    @Test func aSecondReplicaCannotMarkAnOrgAnotherIsReleasing() async throws {
        let client = try GatewayTestRedis.client(logger: logger)
        let org = OrgKey(tenantID: "handover-\(UUID().uuidString.prefix(8))", orgName: "main")
        let releasing = OrgHandover(client: client, replicaID: "gw-active", clock: SystemClock(), logger: logger)
        let stale = OrgHandover(client: client, replicaID: "gw-stale", clock: SystemClock(), logger: logger)
        #expect(await releasing.beginRelease(org) == .begun)
        // A replica with an older placement also believes it should release the org: it must neither take the
        // mark over nor, when it finishes, clear the first replica's mark while that one still sends.
        #expect(await stale.beginRelease(org) == .anotherReplicaReleasing)
        await stale.finishRelease(org)
        #expect(try await client.send("GET", OrgHandover.key(org)).string == "gw-active")
        // The replica that holds the mark renews it.
        #expect(await releasing.beginRelease(org) == .begun)
        await releasing.finishRelease(org)
        #expect(await stale.beginRelease(org) == .begun, "the mark is free once the first release is done")
        await stale.finishRelease(org)
        #expect(try await client.send("GET", OrgHandover.key(org)).string == nil)
    }

    @Test func withRedisUnreachableNoReleaseStartsAndATakingReplicaWaitsOnlyItsGrace() async throws {
        let unreachable = try GatewayTestRedis.client(url: RedisURL(host: "127.0.0.1", port: 1), logger: logger)
        let clock = ManualClock()
        let handover = OrgHandover(client: unreachable, replicaID: "gw-a", clock: clock, logger: logger)
        let org = OrgKey(tenantID: "acme", orgName: "main")
        #expect(await handover.beginRelease(org) == .unavailable)
        let returned = Mutex(false)
        let waiter = Task {
            await handover.waitUntilReleased(org)
            returned.withLock { $0 = true }
        }
        // A blip: it keeps asking rather than take the org at once.
        var waited = Duration.zero
        while waited < OrgHandover.unreachableGrace - OrgHandover.pollInterval {
            await clock.waitForSleepers(1)
            #expect(!returned.withLock { $0 }, "went on after \(waited) without Redis' answer")
            clock.advance(by: OrgHandover.pollInterval)
            waited += OrgHandover.pollInterval
        }
        // Once the grace is over it goes on without the answer.
        await clock.waitForSleepers(1)
        clock.advance(by: OrgHandover.pollInterval)
        await waiter.value
        #expect(returned.withLock { $0 })
    }
}
