import Foundation
import GatewayTestSupport
import GenesysSandbox
@testable import GatewayCore
@testable import OrgServices
import Testing

/// Timing (quiet machine, `scripts/test.sh --full`): orgs spread over three replicas, each org within 2 % of its rate.
@Suite(.timeLimit(.minutes(4)), .serialized) struct SharedModeSpreadTimingIntegrationTests {
    /// 9 orgs × 20 msg/s (2,700 queued messages) through 3 replicas: the orgs are served by their owners, spread
    /// over the replicas, and each org holds its rate within ±2 % at Genesys. (The 40 orgs × 50 msg/s is
    /// beyond what 2 cores carry with debug builds: scripts/bench-replicas.sh measures it, release.)
    @Test func orgsSpreadOverThreeReplicasEachHoldItsRate() async throws {
        let test = "replica-spread"
        let tenant = SharedModeReplicaIntegrationTests.tenant("spr")
        let orgs = (0..<9).map { TestOrg(tenant: tenant, name: "org\($0)", rate: 20, burst: 1) }
        let perOrg = 300
        try await SharedModeReplicaIntegrationTests.withReplicas(
            test, count: 3, orgs: orgs, redisURL: try SharedModeRateTimingIntegrationTests.redisURL
        ) { run in
            let started = Date()
            try await run.publisher.publishRounds((0..<perOrg).map { sequence in
                orgs.map { GatewayHarness.textMessage(id: "s-\($0.name)-\(sequence)", org: $0, customer: "s-\($0.name)-c\(sequence % 5)", text: "\(sequence)") }
            }, to: run.topology.outbound)
            let delivered = await Isolation.eventually(timeout: .seconds(60)) {
                Set(run.received(orgs).compactMap(\.channelMessageId)).count >= perOrg * orgs.count
            }
            let received = run.received(orgs)
            let counts = await SharedModeRebalancingIntegrationTests.sentCounts(run.cluster.replicas, orgs)
            let servedBy = Dictionary(uniqueKeysWithValues: orgs.map { org in
                (org.key, run.cluster.ids.indices.filter { (counts[$0][org.key] ?? 0) > 0 }.map { run.cluster.ids[$0] })
            })
            let placement = OrgPlacement(replicas: run.cluster.ids)
            let measured = orgs.map { org in
                Isolation.rate(Array(received.filter { $0.integrationId == org.integrationID }.map(\.receivedAt).sorted().dropFirst(5)))
            }
            let rates = zip(orgs, measured).map { Isolation.deviation($1, from: $0.rate) }
            let perReplica = Dictionary(grouping: orgs) { servedBy[$0.key]?.first ?? "-" }.mapValues(\.count)
            Isolation.figure(test, "\(received.count) of \(perOrg * orgs.count) in \(Isolation.seconds(Date().timeIntervalSince(started))); orgs per replica \(perReplica); rates \(zip(orgs, measured).map { Isolation.describe($1, target: $0.rate) })")
            #expect(delivered)
            #expect(orgs.allSatisfy { servedBy[$0.key] == [placement.ranking(of: $0.key).first ?? ""] }, "served by \(servedBy)")
            #expect(perReplica.count >= 2, "orgs per replica: \(perReplica)")
            #expect(rates.allSatisfy { $0.map { abs($0) <= 0.02 } ?? false }, "rate deviations \(rates)")
            #expect(Isolation.duplicates(received.compactMap(\.channelMessageId)) == 0)
        }
    }
}
