import Foundation
import GatewayTestSupport
import GenesysSandbox
@testable import AMQPTransport
@testable import HTTPAPI
import Testing
@testable import Broker

/// Shared mode (issue 12), several replicas as one gateway: each replica is its own `genesys-gateway run
/// --redis-url` process on one broker, one Redis and the sandbox. The HTTP API answers the same on every replica;
/// conversations keep their order across replicas; a killed replica's org is taken over; a Redis restart loses
/// nothing and keeps the org's rate within the documented tolerance (docs/shared-mode.md).
@Suite(.serialized, .timeLimit(.minutes(3))) struct SharedModeReplicaIntegrationTests {
    /// A tenant id of its own per run, so every key in Redis (receipts, history, limiter, token) is new.
    static func tenant(_ base: String) -> String { base + UUID().uuidString.prefix(6).lowercased() }

    /// A sync message, an async message, a conversation and a webhook retry, each started on replica A and
    /// looked at on replica B.
    @Test func theAPIAnswersTheSameOnEveryReplica() async throws {
        let test = "replica-http"
        let owner = TestOrg(tenant: Self.tenant("own"), name: "main", rate: 100, burst: 10)
        // Another tenant sending through the same Genesys org and OAuth client (TestOrg derives both from its
        // tenant, so its file is written by hand below). Genesys cannot tell the two apart: only the gateway's
        // conversation directory can, and B knows A's conversations only through the shared one.
        let other = TestOrg(tenant: Self.tenant("oth"), name: "main")
        let started = Date()
        let shareOwnersOrg: @Sendable (inout GatewayHarness.SandboxSetup) throws -> Void = { setup in
            let yaml = TenantYAML(id: other.tenant, apiKeys: [.env(other.apiKeyVariable)], orgs: [owner.yaml(isDefault: true, baseURL: setup.sandbox.baseURL)])
            try yaml.text.write(toFile: setup.configDirectory + "/\(other.tenant).yaml", atomically: true, encoding: .utf8)
            setup.environment[other.apiKeyVariable] = other.apiKey
        }
        try await Self.withReplicas(test, count: 2, orgs: [owner], redisURL: try SharedModeRateTimingIntegrationTests.redisURL, prepare: shareOwnersOrg) { run in
            let (a, b) = (run.cluster[0], run.cluster[1])
            // Sent now through A: B answers with the event A recorded (its attempt and correlation id), not one
            // rebuilt from the shared receipt, which carries neither.
            let sent = try await a.call("POST", "/v1/messages", body: GatewayHarness.textMessage(id: "http-1", org: owner), authorization: owner.apiKey)
            #expect(sent.status == 200, "\(String(decoding: sent.body, as: UTF8.self))")
            let correlation = try #require(Self.object(sent.body)["correlationId"] as? String)
            let onB = try await b.call("GET", "/v1/messages/http-1", authorization: owner.apiKey)
            let latest = Self.object(onB.body)["latest"] as? [String: Any]
            #expect(onB.status == 200 && latest?["status"] as? String == "sent", "on B: \(String(decoding: onB.body, as: UTF8.self))")
            #expect(latest?["attempt"] as? Int == 1 && latest?["correlationId"] as? String == correlation, "on B: \(latest ?? [:])")
            #expect(try await b.call("GET", "/v1/messages/http-1", authorization: other.apiKey).status == 404)

            // Queued through A and sent by whichever replica consumes the org's queue: B tells its whole story.
            let queued = try await a.call("POST", "/v1/messages/async", body: GatewayHarness.textMessage(id: "http-2", org: owner), authorization: owner.apiKey)
            #expect(queued.status == 202)
            var story: [String] = []
            let told = await Isolation.eventually(timeout: .seconds(15)) {
                let entry = Self.object((try? await b.call("GET", "/v1/messages/http-2", authorization: owner.apiKey))?.body ?? [])
                story = ((entry["history"] as? [[String: Any]]) ?? []).compactMap { $0["status"] as? String }
                    + [(entry["latest"] as? [String: Any])?["status"] as? String ?? "-"]
                return story.last == "sent"
            }
            #expect(told && story.starts(with: ["queued", "accepted"]), "history on B: \(story)")

            // A conversation opened through A: on B its tenant sees it, the other tenant of the same Genesys org
            // does not (without the shared directory B would refuse both: it could not tell whose it is).
            let created = try await a.call(
                "POST", "/v1/conversations",
                body: Array(#"{"kind":"open","message":{"id":"http-3","type":"text","textBody":"hi","sender":{"id":"+15550103","idType":"Phone"}}}"#.utf8),
                authorization: owner.apiKey)
            #expect(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
            let conversation = try #require(Self.object(created.body)["conversationId"] as? String)
            let ownerOnB = try await b.call("GET", "/v1/conversations/\(conversation)", authorization: owner.apiKey).status
            let otherOnB = try await b.call("GET", "/v1/conversations/\(conversation)", authorization: other.apiKey).status
            #expect(ownerOnB == 200 && otherOnB == 404, "on B: owner \(ownerOnB), other tenant \(otherOnB)")

            // A signed agent message to A, then Genesys' retry of it to B: published to genesys.inbound once.
            let capture = try Self.captureInbound(run)
            let body = Array(#"{"id":"\#(UUID().uuidString.lowercased())","conversationId":"\#(conversation)","channel":{"id":"\#(owner.integrationID)","platform":"Open","type":"Private","to":{"id":"+15550103"},"from":{"id":"\#(owner.integrationID)","idType":"Opaque","nickname":"Agent"},"time":"2026-11-25T10:00:00.000Z"},"type":"Text","text":"Your order ships today","direction":"Outbound"}"#.utf8)
            let signature = [("X-Hub-Signature-256", WebhookSignature.headerValue(body: body, secret: owner.webhookSecret))]
            var outcomes: [String] = []
            for replica in 0..<2 {
                let answer = try await run.cluster.post(replica, "/webhooks/genesys/\(owner.tenant)/\(owner.name)", body: body, headers: signature)
                outcomes.append("\(answer.status) \(Self.object(answer.body)["status"] as? String ?? "?")")
            }
            // Both answers came after the broker confirmed (or after the claim refused): the queue holds all there is.
            let published = try BrokerProbe(url: run.url, topology: run.topology).drain(capture)
            #expect(outcomes == ["200 accepted", "200 duplicate"] && published.count == 1, "webhook: \(outcomes), \(published.count) published")
            Isolation.figure(test, "history on B \(story); conversation on B: owner \(ownerOnB), other tenant \(otherOnB); webhook on A then B: \(outcomes), \(published.count) published; \(Isolation.seconds(Date().timeIntervalSince(started)))")
        }
    }

    /// 1,000 messages, 50 conversations of 3 orgs (2 tenants), 3 replicas: every conversation reaches Genesys in
    /// publish order, each message once, and each org is served by exactly one replica while its messages flow.
    @Test func conversationsKeepTheirOrderAcrossThreeReplicas() async throws {
        let test = "replica-order"
        let (first, second) = (Self.tenant("ord"), Self.tenant("ord"))
        let orgs = [
            TestOrg(tenant: first, name: "one", rate: 60, burst: 1), TestOrg(tenant: first, name: "two", rate: 60, burst: 1),
            TestOrg(tenant: second, name: "main", rate: 60, burst: 1),
        ]
        let customers = 50, perCustomer = 20, total = customers * perCustomer
        try await Self.withReplicas(test, count: 3, orgs: orgs, redisURL: try SharedModeRateTimingIntegrationTests.redisURL) { run in
            let started = Date()
            // Round n holds message n of every conversation, confirmed before round n + 1: the publish order.
            try await run.publisher.publishRounds((0..<perCustomer).map { sequence in
                (0..<customers).map { customer in
                    GatewayHarness.textMessage(
                        id: "o-\(customer)-\(sequence)", org: orgs[customer % orgs.count], customer: "o-c\(customer)", text: "\(sequence)")
                }
            }, to: run.topology.outbound)
            // Heartbeats every 2 s say who serves which org; sampled while the messages flow.
            var servers: [String: Set<String>] = [:], shared: [String] = [], listed = Set<String>(), sample = 0
            let delivered = await Isolation.eventually(timeout: .seconds(60), interval: .milliseconds(250)) {
                if let listing = await run.cluster.listing(from: sample % 3) {
                    listed.formUnion(listing.keys)
                    for org in orgs {
                        let serving = ReplicaCluster.servers(of: org, in: listing)
                        if serving.count > 1 { shared.append("\(org.key): \(serving)") }
                        servers["\(org.tenant)/\(org.name)", default: []].formUnion(serving)
                    }
                }
                sample += 1
                return Set(run.received(orgs).compactMap(\.channelMessageId)).count >= total
            }
            let received = run.received(orgs)
            let ids = received.compactMap(\.channelMessageId)
            let wrong = Isolation.outOfOrder(received)
            let rates = orgs.map { org in
                Isolation.describe(Isolation.rate(Array(received.filter { $0.integrationId == org.integrationID }.map(\.receivedAt).sorted().dropFirst(5))), target: org.rate)
            }
            Isolation.figure(test, "\(Set(ids).count) of \(total) in \(Isolation.seconds(Date().timeIntervalSince(started))) (\(Isolation.duplicates(ids)) duplicates, \(wrong.count) of \(customers) conversations out of order); rates \(rates); served by \(servers.mapValues { $0.sorted() }); \(sample) listings")
            #expect(delivered, "only \(Set(ids).count) of \(total) within 60 s")
            #expect(Isolation.duplicates(ids) == 0)
            #expect(wrong.isEmpty, "out of order: \(wrong.prefix(3))")
            #expect(listed == Set(run.cluster.ids), "GET /admin/replicas listed \(listed.sorted())")
            #expect(shared.isEmpty, "an org under two replicas at once: \(shared.prefix(3))")
            #expect(orgs.allSatisfy { servers["\($0.tenant)/\($0.name)"]?.count == 1 }, "servers: \(servers)")
        }
    }

    /// 800 messages of one org at 80/s through 3 replicas; the replica serving the org (per `/admin/replicas`) is
    /// killed with SIGKILL mid-run. Its unacked messages go back to the org queue, whose single active consumer
    /// moves to another replica: nothing lost, each conversation in order, and a message the killed replica had
    /// sent is found in the shared idempotency record rather than sent again.
    ///
    /// Duplicates allowed: only messages whose call to Genesys was under way when the replica died (its own
    /// idempotency record, read from its state folder after the kill, shows their `sending` line and no receipt):
    /// Genesys may have taken them, and the survivor sends them again flagged `possibleDuplicate`. Each at most
    /// twice, and no more of those than the org queue's prefetch. A message the killed replica had sent is not
    /// among them, whether or not its ack reached the broker.
    @Test func aKilledReplicasOrgIsTakenOverInOrderWithoutLoss() async throws {
        let test = "replica-sigkill"
        let org = TestOrg(tenant: Self.tenant("kil"), name: "main", rate: 80, burst: 1)
        let customers = 20, perCustomer = 40, total = customers * perCustomer
        // The org queue's prefetch (rate × 0.5 s): the most messages the killed replica can have had in flight.
        let inFlightBound = Int((org.rate * 0.5).rounded(.up))
        try await Self.withReplicas(test, count: 3, orgs: [org], redisURL: try SharedModeRateTimingIntegrationTests.redisURL) { run in
            let started = Date()
            try await run.publisher.publishRounds((0..<perCustomer).map { sequence in
                (0..<customers).map { GatewayHarness.textMessage(id: "k-\($0)-\(sequence)", org: org, customer: "k-c\($0)", text: "\(sequence)") }
            }, to: run.topology.outbound)
            var serving: [String] = []
            let found = await Isolation.eventually(timeout: .seconds(15)) {
                serving = await run.cluster.listing(from: 0).map { ReplicaCluster.servers(of: org, in: $0) } ?? []
                return serving.count == 1
            }
            try #require(found, "no single replica lists \(org.key) in GET /admin/replicas: \(serving)")
            let victim = try #require(run.cluster.ids.firstIndex(of: serving[0]))
            let midRun = await Isolation.eventually(timeout: .seconds(30)) { Set(run.received([org]).compactMap(\.channelMessageId)).count >= total / 4 }
            try #require(midRun, "fewer than \(total / 4) delivered within 30 s")
            let metrics = try? PrometheusExposition(parsing: String(decoding: try await run.cluster[victim].call("GET", "/metrics").body, as: UTF8.self))
            let inGateway = metrics?.value("genesys_gateway_org_queue_in_gateway", ["tenant": org.tenant, "org": org.name]) ?? 0
            await run.cluster.kill(victim)
            let killedAt = Date()
            let atKill = Set(run.received([org]).compactMap(\.channelMessageId)).count
            try #require(atKill < total, "all \(total) were delivered before the kill: nothing was pending")
            let underWay = try IdempotencyRecordFile.sendsUnderWay(stateDirectory: run.cluster[victim].stateDirectory)
            // A duplicate may also be a message whose receipt the killed replica wrote to its own record but not yet to
            // Redis (the two writes are not one): the survivor then finds its `sending` mark, not a receipt, and sends
            // again flagged `possibleDuplicate`. So a duplicate must be one of the killed replica's own sends.
            let startedThere = try IdempotencyRecordFile.sendsStarted(stateDirectory: run.cluster[victim].stateDirectory)

            let survivor = (victim + 1) % 3
            var takenBy: [String] = []
            let takenOver = await Isolation.eventually(timeout: .seconds(20), interval: .milliseconds(250)) {
                guard let listing = await run.cluster.listing(from: survivor) else { return false }
                takenBy = ReplicaCluster.servers(of: org, in: listing)
                return listing[run.cluster.ids[victim]] == nil && takenBy.count == 1
            }
            let listedAfter = Date().timeIntervalSince(killedAt)
            let delivered = await Isolation.eventually(timeout: .seconds(60)) {
                Set(run.received([org]).compactMap(\.channelMessageId)).count >= total
            }
            // Redeliveries come before the rest of the queue; once the survivors hold nothing of the org, no
            // late copy can still be sent.
            let idle = await Isolation.eventually(timeout: .seconds(10)) {
                var held = 0.0
                for index in 0..<3 where index != victim {
                    guard let text = try? await run.cluster[index].call("GET", "/metrics").body,
                        let parsed = try? PrometheusExposition(parsing: String(decoding: text, as: UTF8.self)) else { return false }
                    held += parsed.value("genesys_gateway_org_queue_in_gateway", ["tenant": org.tenant, "org": org.name]) ?? 0
                }
                return held == 0
            }
            // Nothing of the org left in a queue either (a copy there would be sent after the count).
            let topology = run.topology
            let leftOver = try BrokerProbe(url: run.url, topology: topology).readyCounts(
                [topology.outbound, topology.orgQueue(for: org.key)] + topology.retryTiers.map { topology.retryQueue(for: $0) }
            ).filter { $0.value != 0 }
            let received = run.received([org])
            let ids = received.compactMap(\.channelMessageId)
            let after = received.filter { $0.receivedAt > killedAt }.map(\.receivedAt)
            let wrong = Isolation.outOfOrder(received)
            // A duplicate is expected only for a message whose first copy Genesys took just before the kill (sent,
            // its receipt not yet written): shown with how long before the kill that copy arrived.
            let copies = Dictionary(grouping: received.filter { $0.channelMessageId != nil }, by: { $0.channelMessageId! }).filter { $0.value.count > 1 }
            let duplicated = copies.map { id, copies in "\(id) (first \(Int((killedAt.timeIntervalSince(copies.map(\.receivedAt).min()!)) * 1000)) ms before the kill)" }
            Isolation.figure(test, "killed \(run.cluster.ids[victim]) (\(Int(inGateway)) of the org's messages in it, bound \(inFlightBound); \(underWay.count) send(s) under way \(underWay.sorted())) after \(atKill) of \(total); taken over by \(takenBy) (listed so \(Isolation.seconds(listedAfter)) after the kill); \(Set(ids).count) of \(total) in \(Isolation.seconds(Date().timeIntervalSince(started))), \(Isolation.duplicates(ids)) duplicates \(duplicated), \(wrong.count) conversations out of order; first after the kill \(Isolation.seconds(after.min()?.timeIntervalSince(killedAt)))")
            #expect(delivered, "only \(Set(ids).count) of \(total) within 60 s; logs \(run.cluster.replicas.map(\.logPath))")
            #expect(takenOver, "the org is not listed under one survivor: \(takenBy)")
            #expect(idle, "the survivors still hold messages of the org")
            #expect(leftOver.isEmpty, "messages of the org still queued: \(leftOver)")
            #expect(underWay.count <= inFlightBound, "\(underWay.count) sends under way at the kill: more than the \(inFlightBound) the prefetch allows")
            #expect(Set(copies.keys).isSubset(of: startedThere), "sent again though the killed replica never sent it: \(duplicated)")
            #expect(copies.count <= inFlightBound, "\(copies.count) duplicates: more than the \(inFlightBound) the prefetch allows in flight")
            #expect(copies.values.allSatisfy { $0.count == 2 }, "sent more than twice: \(duplicated)")
            #expect(wrong.isEmpty, "out of order: \(wrong.prefix(3))")
        }
    }
}

extension SharedModeReplicaIntegrationTests {
    /// A test's running cluster.
    struct Run: Sendable {
        let setup: GatewayHarness.SandboxSetup
        let cluster: ReplicaCluster
        let publisher: AMQPClient
        let topology: QueueTopology
        let url: String
        /// The replicas' queue name prefix, for more replicas joining them.
        let prefix: String

        /// What the sandbox received for `orgs`, in arrival order.
        func received(_ orgs: [TestOrg]) -> [ReceivedMessage] {
            let integrations = Set(orgs.map(\.integrationID))
            return setup.sandbox.control.received().filter { integrations.contains($0.integrationId) }
        }
    }

    /// Runs `body` with a sandbox for `orgs`, `count` replicas on `redisURL` consuming a queue prefix of their own
    /// and a publisher to their ingress queue; stops them all afterwards, whatever happens.
    /// - Parameter prepare: changes the config directory or environment before the replicas start.
    static func withReplicas(
        _ name: String, count: Int, orgs: [TestOrg], redisURL: String, extraArguments: [String] = [],
        prepare: @Sendable (inout GatewayHarness.SandboxSetup) throws -> Void = { _ in }, _ body: @Sendable (Run) async throws -> Void
    ) async throws {
        let url = try BrokerProbe.url
        let prefix = BrokerProbe.uniquePrefix(name)
        let topology = QueueTopology(prefix: prefix)
        try await GatewayHarness.withSandbox(orgs: orgs, logger: .quiet(name)) { original in
            var setup = original
            try prepare(&setup)
            let publisher = AMQPClient(settings: .init(url: url, topology: topology, prefetch: 0), logger: .quiet("publisher"))
            let connection = Task { await publisher.run() }
            var cluster: ReplicaCluster?
            do {
                cluster = try await ReplicaCluster(
                    name, count: count, setup: setup, url: url, prefix: prefix, redisURL: redisURL, extraArguments: extraArguments)
                try await body(Run(setup: setup, cluster: cluster!, publisher: publisher, topology: topology, url: url, prefix: prefix))
            } catch {
                publisher.stop()
                await connection.value
                await cluster?.stop()
                throw error
            }
            publisher.stop()
            await connection.value
            await cluster?.stop()
        }
    }

    /// A queue bound to the replicas' inbound exchange (what the channel side would consume); its name.
    static func captureInbound(_ run: Run) throws -> String {
        let connection = try AMQPConnection(url: run.url, heartbeatSeconds: 0, connectTimeout: .seconds(5))
        try connection.openChannel(1)
        let queue = run.topology.inboundExchange + ".capture"
        try connection.declareQueue(queue, arguments: [], channel: 1)
        try connection.bindQueue(queue, exchange: run.topology.inboundExchange, routingKey: "#", channel: 1)
        return queue
    }

    static func object(_ body: [UInt8]) -> [String: Any] {
        ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]) ?? [:]
    }
}
