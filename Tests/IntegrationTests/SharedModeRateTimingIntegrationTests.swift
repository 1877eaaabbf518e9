import Foundation
import GatewayTestSupport
import GenesysSandbox
@testable import AMQPTransport
import Testing
@testable import Broker

/// Shared mode (issue 12): several `genesys-gateway run --redis-url` processes against one broker, one Redis
/// (the test command's, `GGW_REDIS_URL`) and the sandbox, acting as one gateway.
@Suite(.serialized, .timeLimit(.minutes(2))) struct SharedModeRateTimingIntegrationTests {
    static var redisURL: String {
        get throws {
            guard let url = ProcessInfo.processInfo.environment["GGW_REDIS_URL"], !url.isEmpty else {
                throw GatewayHarness.HarnessError(message: "GGW_REDIS_URL is not set: run the suite under scripts/with-redis.sh")
            }
            return url
        }
    }

    /// 3 replicas, one org at 20 msg/s, 600 messages published to the outbound queue: Genesys sees 20/s within
    /// ±3 %, every message once, and the org's token is requested once for the whole cluster.
    ///
    /// While the queue drains (its org queue has one active consumer, so one replica sends it), the two other
    /// replicas each send 20 messages of the same org through `POST /v1/messages`: they take their slots from
    /// the same limiter in Redis and their token from Redis, so the org's rate and token count hold for the
    /// cluster, not per replica. Bounded: the messages are due after ≈ 32 s; the test gives up after 60 s.
    ///
    /// None of the 40 API sends may be refused. An API send waits up to `maxLimiterWait` (2 s, `run`'s default)
    /// for its slot before it is answered 429; the queue path holds at most its org queue's prefetch in flight
    /// (rate × 0.5 s = 10 messages, ``OrgQueueSubscriptions``), each holding at most one reserved slot, and the
    /// other API sender at most one more, so an API send's slot is at most 12 slots (0.6 s at 20/s) away.
    /// A refusal (or an error) therefore means the shared limiter, the shared token or the replica's API failed.
    @Test func threeReplicasHoldOneOrgsRateWithOneToken() async throws {
        let test = "shared-rate"
        let rate = 20.0, queued = 600, perReplicaAPI = 20
        // A tenant of its own per run: the org's limiter and token keys in Redis are new.
        let org = TestOrg(tenant: "shared" + UUID().uuidString.prefix(6).lowercased(), name: "main", rate: rate, burst: 1)
        let url = try BrokerProbe.url
        let redis = try Self.redisURL
        let prefix = BrokerProbe.uniquePrefix("shared-rate")
        let topology = QueueTopology(prefix: prefix)
        try await GatewayHarness.withSandbox(orgs: [org], logger: .quiet("shared")) { setup in
            let sandbox = setup.sandbox.control
            var replicas: [IsolationGatewayProcess] = []
            let publisher = AMQPClient(settings: .init(url: url, topology: topology, prefetch: 0), logger: .quiet("publisher"))
            let connection = Task { await publisher.run() }
            func finish() async {
                publisher.stop()
                await connection.value
                for replica in replicas { await replica.stop() }
            }
            do {
                for index in 0..<3 {
                    replicas.append(try IsolationGatewayProcess(
                        setup: setup, url: url, prefix: prefix,
                        extraArguments: ["--redis-url", redis, "--replica-id", "\(test)-\(index)", "--shutdown-timeout", "2", "--prefetch", "200"]))
                }
                for replica in replicas {
                    let ready = await replica.waitUntilReady()
                    try #require(ready, "replica not ready within 30 s; log \(replica.logPath):\n\(replica.logTail())")
                }
                let listed = await Isolation.eventually(timeout: .seconds(10)) {
                    let listing = try? await replicas[0].call("GET", "/admin/replicas")
                    let text = listing.map { String(decoding: $0.body, as: UTF8.self) } ?? ""
                    return (0..<3).allSatisfy { text.contains("\"\(test)-\($0)\"") }
                }
                #expect(listed, "GET /admin/replicas does not list the 3 replicas")
                let readiness = String(decoding: try await replicas[1].call("GET", "/ready").body, as: UTF8.self)
                #expect(readiness.contains(#""redis":"connected""#), "/ready: \(readiness)")

                let started = Date()
                try await publisher.publishAll((0..<queued).map { index in
                    GatewayHarness.textMessage(id: "q-\(index)", org: org, customer: "q-c\(index % 20)")
                }, to: topology.outbound)
                // Replicas 1 and 2 send through the API meanwhile, each one message at a time.
                let refused = Collected<String>()
                let senders = replicas
                let apiSends = (1...2).map { index in
                    Task {
                        for message in 0..<perReplicaAPI {
                            let id = "api-\(index)-\(message)"
                            do {
                                let status = try await senders[index].send(
                                    GatewayHarness.textMessage(id: id, org: org, customer: "api-c\(index)"), apiKey: org.apiKey)
                                if status != 200 { refused.append("\(id): \(status)") }
                            } catch {
                                refused.append("\(id): \(error)")
                            }
                        }
                    }
                }
                for send in apiSends { await send.value }
                let expected = queued + 2 * perReplicaAPI - refused.all.count
                let watched = await Isolation.watch(org, expecting: expected, on: sandbox, within: 60, since: started)
                // Late duplicates would come within moments of the last message.
                try await Task.sleep(for: .seconds(1))
                let received = sandbox.received(integrationId: org.integrationID)
                let ids = received.compactMap(\.channelMessageId)
                let duplicates = ids.count - Set(ids).count
                var tokenRequests = 0.0
                for replica in replicas {
                    let metrics = try PrometheusExposition(parsing: String(decoding: try await replica.call("GET", "/metrics").body, as: UTF8.self))
                    tokenRequests += metrics.value(
                        "genesys_gateway_token_renewals_total", ["tenant": org.tenant, "org": org.name]) ?? 0
                }

                Isolation.figure(test, "\(received.count) received (\(Set(ids).count) distinct, \(duplicates) duplicates) of \(queued) queued + \(2 * perReplicaAPI - refused.all.count) through the API of 2 other replicas (\(refused.all.count) refused: \(refused.all)); rate \(Isolation.describe(watched.rate, target: rate)) over \(Isolation.seconds(watched.times.last.map { $0.timeIntervalSince(watched.times[0]) })); token requests in the cluster: \(Int(tokenRequests))")
                #expect(refused.all.isEmpty, "API sends refused (at most 12 slots, 0.6 s, from a slot, against a 2 s bound): \(refused.all)")
                #expect(watched.inTime, "only \(watched.received.count) of \(expected) within 60 s; logs \(replicas.map(\.logPath))")
                #expect((Isolation.deviation(watched.rate, from: rate) ?? 1) <= 0.03, "rate \(Isolation.describe(watched.rate, target: rate))")
                #expect(duplicates == 0)
                #expect(tokenRequests == 1)
                await finish()
            } catch {
                await finish()
                throw error
            }
        }
    }
}

extension IsolationGatewayProcess {
    /// `POST /v1/messages` with a tenant's API key: the status Genesys' answer was mapped to.
    func send(_ body: [UInt8], apiKey: String) async throws -> Int {
        try await call("POST", "/v1/messages", body: body, authorization: apiKey).status
    }
}
