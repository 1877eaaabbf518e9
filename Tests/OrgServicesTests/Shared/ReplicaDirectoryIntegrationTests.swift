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

/// Replica heartbeats against the real test server.
// Serialized: the replica count is over every heartbeat key, so a neighbour test's replica would be counted.
@Suite(.timeLimit(.minutes(1)), .serialized) struct ReplicaDirectoryIntegrationTests {
    let logger = Logger(label: "replica-directory-tests") { _ in SwiftLogNoOpLogHandler() }

    @Test func replicasSeeEachOtherAndADeadOneDropsOut() async throws {
        let client = try GatewayTestRedis.client(logger: logger)
        let run = UUID().uuidString.prefix(8)
        let a = ReplicaDirectory(id: "test-\(run)-a", client: client, timeToLive: .seconds(60), logger: logger)
        let b = ReplicaDirectory(id: "test-\(run)-b", client: client, timeToLive: .seconds(2), logger: logger)
        #expect(a.replicaCount == 1 && !a.isRedisReachable)
        await b.beat()
        await a.beat()
        let listed = try await a.replicas().filter { $0.id.hasPrefix("test-\(run)") }
        #expect(listed.map(\.id) == ["test-\(run)-a", "test-\(run)-b"])
        #expect(listed.allSatisfy { $0.pid == ProcessInfo.processInfo.processIdentifier && !$0.lastHeartbeat.isEmpty })
        #expect(a.isRedisReachable)
        let together = a.replicaCount
        #expect(together >= 2)
        // B stops beating: its key expires, and A's next count is one less. (Its time to live is Redis' clock,
        // so this waits for it; 2 s rather than less, as a loaded machine took 300 ms between two beats.)
        try await Task.sleep(for: .milliseconds(2_500))
        await a.beat()
        #expect(a.replicaCount == together - 1)
        _ = try await client.send("DEL", ReplicaDirectory.keyPrefix + a.id)
    }

    @Test func withRedisUnreachableTheLastCountStays() async throws {
        let unreachable = try GatewayTestRedis.client(url: RedisURL(host: "127.0.0.1", port: 1), logger: logger)
        let directory = ReplicaDirectory(id: "test-unreachable", client: unreachable, logger: logger)
        await directory.beat()
        #expect(!directory.isRedisReachable)
        #expect(directory.replicaCount == 1)
        await #expect(throws: RedisError.self) { try await directory.replicas() }
    }

    /// The heartbeat names the orgs this replica consumed lately, and forgets one quiet for longer than
    /// `ownershipMemory`.
    @Test func theHeartbeatAnnouncesTheOrgsThisReplicaServes() async throws {
        let client = try GatewayTestRedis.client(logger: logger)
        let clock = ManualClock()
        let consumed = Mutex<Set<OrgKey>>([OrgKey(tenantID: "acme", orgName: "us"), OrgKey(tenantID: "acme", orgName: "eu")])
        let id = "test-orgs-\(UUID().uuidString.prefix(8))"
        let directory = ReplicaDirectory(
            id: id, client: client, timeToLive: .seconds(60), clock: clock,
            consumedOrgs: { consumed.withLock { taken in defer { taken = [] }; return taken } }, logger: logger)
        await directory.beat()
        #expect(try await directory.replicas().first { $0.id == id }?.orgs == ["acme/eu", "acme/us"])
        clock.advance(by: .seconds(20))
        consumed.withLock { $0 = [OrgKey(tenantID: "acme", orgName: "us")] }
        await directory.beat()
        #expect(try await directory.replicas().first { $0.id == id }?.orgs == ["acme/eu", "acme/us"], "a quiet org is still served")
        clock.advance(by: .seconds(15))
        await directory.beat()
        #expect(try await directory.replicas().first { $0.id == id }?.orgs == ["acme/us"])
        _ = try await client.send("DEL", ReplicaDirectory.keyPrefix + id)
    }
}
