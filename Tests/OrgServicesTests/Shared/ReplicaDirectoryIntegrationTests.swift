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
        // B stops beating: its deadline passes, and A's next count is one less. (Its time to live is Redis' clock,
        // so this waits for it; 2 s rather than less, as a loaded machine took 300 ms between two beats.)
        try await Task.sleep(for: .milliseconds(2_500))
        await a.beat()
        #expect(a.replicaCount == together - 1)
        #expect(try await a.replicas().filter { $0.id.hasPrefix("test-\(run)") }.map(\.id) == ["test-\(run)-a"], "B's record stayed")
        await a.leave()
        #expect(try await a.replicas().filter { $0.id.hasPrefix("test-\(run)") }.isEmpty)
    }

    /// Issue 30: a beat used to `SCAN` the whole keyspace for heartbeat keys (~10 k round trips at 10 M keys, longer
    /// than the heartbeat's TTL). Now a beat is one command, and a listing one more, whatever the database holds.
    @Test func aBeatAndAListingCostOneCommandEachWhateverTheKeyspaceHolds() async throws {
        let client = try GatewayTestRedis.client(logger: logger)
        let run = UUID().uuidString.prefix(8)
        let filler = (0..<20_000).map { "test-filler-\(run)-\($0)" }
        for batch in stride(from: 0, to: filler.count, by: 1000) {
            let keys = filler[batch..<min(batch + 1000, filler.count)]
            _ = try await client.send(RedisCommand("MSET", arguments: keys.flatMap { [$0, "x"] as [any RedisArgument] }))
        }
        let directory = ReplicaDirectory(id: "test-\(run)-cost", client: client, timeToLive: .seconds(60), logger: logger)
        // The first of each loads its script (NOSCRIPT, then EVAL).
        await directory.beat()
        _ = try await directory.replicas()
        let before = client.statistics.commands
        await directory.beat()
        let listed = try await directory.replicas()
        #expect(client.statistics.commands - before == 2)
        #expect(listed.contains { $0.id == directory.id })
        #expect(directory.isRedisReachable)
        await directory.leave()
        for batch in stride(from: 0, to: filler.count, by: 1000) {
            _ = try await client.send(RedisCommand("DEL", arguments: filler[batch..<min(batch + 1000, filler.count)].map { $0 as any RedisArgument }))
        }
    }

    /// Issue 30: while Redis is away, each replica's fallback gave every org the rate ÷ N, though only the org's
    /// owner consumes its queue: a backlog drained N times slower. The owner now takes the whole rate.
    @Test func theOrgsOwnerTakesTheWholeRateInTheFallbackAndTheOthersAnEvenShare() async throws {
        let client = try GatewayTestRedis.client(logger: logger)
        let run = UUID().uuidString.prefix(8)
        let directories = (0..<3).map { ReplicaDirectory(id: "test-\(run)-\($0)", client: client, timeToLive: .seconds(60), logger: logger) }
        for directory in directories { await directory.beat() }
        for directory in directories { await directory.beat() }  // each has seen the others
        for index in 0..<20 {
            let org = OrgKey(tenantID: "share-\(run)", orgName: "org\(index)")
            let live = try #require(directories[0].placement).replicas
            let owner = try #require(OrgPlacement(replicas: live).ranking(of: org).first)
            for directory in directories {
                let expected = directory.id == owner ? 1 : 1 / Double(directory.replicaCount)
                #expect(directory.fallbackShare(of: org) == expected, "\(directory.id) for \(org), owner \(owner)")
            }
        }
        for directory in directories { await directory.leave() }
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
        await directory.leave()
    }
}
