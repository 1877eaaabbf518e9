import Foundation
import GatewayTestSupport
import GenesysSandbox
@testable import GatewayCore
@testable import OrgServices
import Testing

/// Org queues spread over the replicas (`OrgPlacement`) and move to the replica they are placed on as replicas
/// join: every replica its own `genesys-gateway run --redis-url` process, real RabbitMQ, Redis and sandbox.
@Suite(.timeLimit(.minutes(4)), .serialized) struct SharedModeRebalancingIntegrationTests {
    /// 1,200 messages of 6 orgs (20/s each) start on one replica; two more join mid-run. Each org moves to its
    /// owner while its messages flow: nothing lost, nothing sent twice, every conversation in order; afterwards
    /// each org's messages are sent by its owner alone, and the owners are more than one replica.
    @Test func orgsMoveToTheirOwnersInOrderWhenReplicasJoinMidRun() async throws {
        let test = "replica-join"
        let tenant = SharedModeReplicaIntegrationTests.tenant("join")
        let orgs = (0..<6).map { TestOrg(tenant: tenant, name: "org\($0)", rate: 20, burst: 1) }
        let customers = 30, perCustomer = 40, total = customers * perCustomer
        let redisURL = try SharedModeRateTimingIntegrationTests.redisURL
        try await SharedModeReplicaIntegrationTests.withReplicas(test, count: 1, orgs: orgs, redisURL: redisURL) { run in
            let started = Date()
            try await run.publisher.publishRounds((0..<perCustomer).map { sequence in
                (0..<customers).map { customer in
                    GatewayHarness.textMessage(
                        id: "j-\(customer)-\(sequence)", org: orgs[customer % orgs.count], customer: "j-c\(customer)", text: "\(sequence)")
                }
            }, to: run.topology.outbound)
            let midRun = await Isolation.eventually(timeout: .seconds(30)) { Set(run.received(orgs).compactMap(\.channelMessageId)).count >= total / 5 }
            try #require(midRun, "fewer than \(total / 5) delivered within 30 s")
            let joinedAt = Date()
            let late = try await ReplicaCluster(
                "\(test)-late", count: 2, setup: run.setup, url: run.url, prefix: run.prefix, redisURL: redisURL, alreadyRunning: 1)
            let everyone = [run.cluster[0], late[0], late[1]]
            let ids = run.cluster.ids + late.ids
            do {
                let delivered = await Isolation.eventually(timeout: .seconds(90)) {
                    Set(run.received(orgs).compactMap(\.channelMessageId)).count >= total
                }
                let placed = await run.cluster.waitUntilPlaced(among: 3)
                let received = run.received(orgs)
                let messageIDs = received.compactMap(\.channelMessageId)
                let wrong = Isolation.outOfOrder(received)

                // Afterwards: 10 more messages per org; only the org's owner sends them.
                let placement = OrgPlacement(replicas: ids)
                let owners = Dictionary(uniqueKeysWithValues: orgs.map { ($0.key, placement.ranking(of: $0.key).first ?? "") })
                let before = await Self.sentCounts(everyone, orgs)
                try await run.publisher.publishRounds([orgs.flatMap { org in
                    (0..<10).map { GatewayHarness.textMessage(id: "after-\(org.name)-\($0)", org: org, customer: "after-\(org.name)", text: "\($0)") }
                }], to: run.topology.outbound)
                let afterwards = await Isolation.eventually(timeout: .seconds(30)) {
                    run.received(orgs).filter { $0.channelMessageId?.hasPrefix("after-") == true }.count >= 10 * orgs.count
                }
                let after = await Self.sentCounts(everyone, orgs)
                var sentBy: [String: [String]] = [:]
                for org in orgs {
                    sentBy["\(org.key)"] = ids.indices.filter { (after[$0][org.key] ?? 0) > (before[$0][org.key] ?? 0) }.map { ids[$0] }
                }
                Isolation.figure(test, "\(Set(messageIDs).count) of \(total) in \(Isolation.seconds(Date().timeIntervalSince(started))) (2 replicas joined after \(Isolation.seconds(joinedAt.timeIntervalSince(started)))), \(Isolation.duplicates(messageIDs)) duplicates, \(wrong.count) of \(customers) conversations out of order; owners \(owners.mapValues { $0 }); afterwards sent by \(sentBy)")
                #expect(delivered, "only \(Set(messageIDs).count) of \(total) within 90 s")
                #expect(placed, "the replicas did not settle their placement")
                #expect(Isolation.duplicates(messageIDs) == 0)
                #expect(wrong.isEmpty, "out of order: \(wrong.prefix(3))")
                #expect(afterwards)
                #expect(orgs.allSatisfy { sentBy["\($0.key)"] == [owners[$0.key] ?? ""] }, "owners \(owners), sent by \(sentBy)")
                #expect(Set(owners.values).count >= 2, "the placement put every org on one replica: \(owners)")
            } catch {
                await late.stop()
                throw error
            }
            await late.stop()
        }
    }
    /// `genesys_gateway_messages_sent_total` per org on each replica.
    static func sentCounts(_ replicas: [IsolationGatewayProcess], _ orgs: [TestOrg]) async -> [[OrgKey: Double]] {
        var counts: [[OrgKey: Double]] = []
        for replica in replicas {
            var perOrg: [OrgKey: Double] = [:]
            if let text = try? await replica.call("GET", "/metrics").body,
                let metrics = try? PrometheusExposition(parsing: String(decoding: text, as: UTF8.self)) {
                for org in orgs {
                    perOrg[org.key] = metrics.value("genesys_gateway_messages_sent_total", ["tenant": org.tenant, "org": org.name]) ?? 0
                }
            }
            counts.append(perOrg)
        }
        return counts
    }
}
